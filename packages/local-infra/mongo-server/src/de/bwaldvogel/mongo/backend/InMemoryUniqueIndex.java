package de.bwaldvogel.mongo.backend;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A unique index held in a hash map and rebuilt from the collection when the server opens it, in place of H2's
 * persisted one: H2 stores index keys (KeyValue, not Comparable) in an MVMap that compares two keys by serialising
 * both with Java serialisation, on every step of every lookup, which a flight recording of the database under the
 * saga's load showed among its largest costs. The same as mongo-java-server's memory backend's MemoryUniqueIndex,
 * for H2's positions (the documents' _id values).
 */
public final class InMemoryUniqueIndex extends AbstractUniqueIndex<Object> {

    private final Map<KeyValue, Object> positions = new ConcurrentHashMap<>();

    public InMemoryUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
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
