package de.bwaldvogel.mongo.backend;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;

/**
 * A unique index (the _id index too) that also answers queries filtering on more than its keys.
 *
 * mongo-java-server uses a unique index only for a query on exactly its keys: {_id: id} reads one document, but
 * {_id: id, status: 'PENDING'} (the conditional update every saga step makes) scans the whole collection. This
 * wrapper looks the document up by the key values and leaves the other conditions to the collection, which matches
 * every candidate against the whole query. Everything else is the server's own index.
 */
public final class UniqueIndexWithFilters extends Index<Object> {

    private final Index<Object> index;

    public UniqueIndexWithFilters(Index<Object> index) {
        super(index.getName(), index.getKeys(), index.isSparse());
        this.index = index;
    }

    @Override
    public boolean canHandle(Document query) {
        Document keyQuery = keyQuery(query);
        return keyQuery != null && index.canHandle(keyQuery);
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        return index.getPositions(keyQuery(query));
    }

    /** The query's conditions on the index's keys; null unless each key is pinned to one value. */
    private Document keyQuery(Document query) {
        if (query.size() == index.getKeys().size()) {
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
    public boolean isUnique() {
        return index.isUnique();
    }

    @Override
    public Object getPosition(Document document) {
        return index.getPosition(document);
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
        index.checkAdd(document, collection);
    }

    @Override
    public void add(Document document, Object position, MongoCollection<Object> collection) {
        index.add(document, position, collection);
    }

    @Override
    public Object remove(Document document) {
        return index.remove(document);
    }

    @Override
    public long getCount() {
        return index.getCount();
    }

    @Override
    public boolean isEmpty() {
        return index.isEmpty();
    }

    @Override
    public long getDataSize() {
        return index.getDataSize();
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        index.checkUpdate(oldDocument, newDocument, collection);
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection)
        throws KeyConstraintError {
        index.updateInPlace(oldDocument, newDocument, position, collection);
    }

    @Override
    public void drop() {
        index.drop();
    }
}
