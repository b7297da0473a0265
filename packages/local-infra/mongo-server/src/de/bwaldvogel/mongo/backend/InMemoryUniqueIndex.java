package de.bwaldvogel.mongo.backend;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import de.bwaldvogel.mongo.bson.Document;

/**
 * A unique index held in a hash map and rebuilt from the collection when the server opens it, in place of H2's
 * persisted one: H2 stores index keys (KeyValue, not Comparable) in an MVMap that compares two keys by serialising
 * both with Java serialisation, on every step of every lookup, which a flight recording of the database under the
 * saga's load showed among its largest costs. The same as mongo-java-server's memory backend's MemoryUniqueIndex,
 * for H2's positions (the documents' _id values), with one addition: the server uses a unique index only for a query
 * on exactly its keys, so {_id: id} reads one document but {_id: id, status: 'PENDING'} (the conditional update
 * every saga step makes) would scan the collection. This index also answers a query that pins each of its keys to
 * one value and filters on more; the collection checks the other conditions on the one candidate.
 */
public final class InMemoryUniqueIndex extends AbstractUniqueIndex<Object> {

    private final Map<KeyValue, Object> positions = new ConcurrentHashMap<>();

    public InMemoryUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
    }

    @Override
    public boolean canHandle(Document query) {
        Document keyQuery = keyQuery(query);
        return keyQuery != null && super.canHandle(keyQuery);
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        return super.getPositions(keyQuery(query));
    }

    /** The query's conditions on the index's keys; null unless each key is pinned to one value. */
    private Document keyQuery(Document query) {
        if (query.size() == getKeys().size()) {
            return query; // exactly the keys, or not all of them: the server's own rules
        }
        Document keyQuery = new Document();
        for (String key : keys()) {
            Object value = query.get(key);
            if (!InMemorySecondaryIndex.isComparable(value)) {
                return null;
            }
            keyQuery.put(key, value);
        }
        return keyQuery;
    }

    @Override
    protected Object removeDocument(KeyValue keyValue) {
        return positions.remove(keyValue);
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Object position) {
        return positions.putIfAbsent(keyValue, position) == null;
    }

    @Override
    protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
        return positions.entrySet();
    }

    @Override
    protected Object getPosition(KeyValue keyValue) {
        return positions.get(keyValue);
    }

    @Override
    public long getCount() {
        return positions.size();
    }

    @Override
    public boolean isEmpty() {
        return positions.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }
}
