package de.bwaldvogel.mongo.backend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A non-unique index for mongo-java-server, which on its own ignores every index that is not unique (a collection
 * scan for each query that does not name the whole key of a unique index).
 *
 * It orders the documents by the value of the index's first key, in memory (rebuilt from the collection when the
 * server opens it), and answers an equality, an $in or a range ($gt, $gte, $lt, $lte) on that key. It only narrows:
 * the collection matches every candidate against the whole query, so the candidates must include every document that
 * matches, and may include more. Values that it does not order safely (arrays in arrays, sub-documents) and documents
 * without a key value (an empty array) are candidates for every query. Lives in mongo-java-server's package for
 * Utils.normalizeValue, the normalisation the server's own unique indexes apply to keys and queried values.
 */
public final class InMemorySecondaryIndex extends Index<Object> {

    private static final String ID_FIELD = "_id";

    private final String firstKey;
    private final ConcurrentSkipListMap<Object, Set<Object>> byValue = new ConcurrentSkipListMap<>(ValueComparator.asc());
    /** Documents whose first key is null or missing (the skip-list map holds no null key). */
    private final Set<Object> nullValued = ConcurrentHashMap.newKeySet();
    /** Documents every query must look at: no key value, or one this index does not order. */
    private final Set<Object> unordered = ConcurrentHashMap.newKeySet();
    private final AtomicLong entries = new AtomicLong();
    /** Set once a document holds an array under the first key: a range's two bounds may then match two elements. */
    private volatile boolean multikey;

    public InMemorySecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.firstKey = keys.get(0).getKey();
    }

    /** What a query asks of the first key, or null when this index cannot narrow it. */
    private record Lookup(List<Object> values, Object lower, boolean lowerInclusive, Object upper, boolean upperInclusive) {
        boolean isRange() {
            return values == null;
        }
    }

    @Override
    public boolean canHandle(Document query) {
        return lookup(query) != null;
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        Lookup lookup = lookup(query);
        Set<Object> positions = new LinkedHashSet<>(unordered);
        if (lookup.isRange()) {
            NavigableMap<Object, Set<Object>> range = byValue;
            if (lookup.lower() != null) {
                range = range.tailMap(lookup.lower(), lookup.lowerInclusive());
            }
            if (lookup.upper() != null) {
                range = range.headMap(lookup.upper(), lookup.upperInclusive());
            }
            range.values().forEach(positions::addAll);
        } else {
            for (Object value : lookup.values()) {
                Set<Object> matching = value == null ? nullValued : byValue.get(value);
                if (matching != null) {
                    positions.addAll(matching);
                }
            }
        }
        return new ArrayList<>(positions);
    }

    private Lookup lookup(Document query) {
        if (!query.containsKey(firstKey)) {
            return null;
        }
        Object condition = query.get(firstKey);
        if (condition instanceof Document operators && !BsonRegularExpression.isRegularExpression(operators)) {
            return lookupOperators(operators);
        }
        if (!isComparable(condition) && condition != null) {
            return null;
        }
        if (condition == null && isSparse()) {
            return null; // a sparse index leaves out the documents that lack the key, which null matches
        }
        return equality(condition);
    }

    private Lookup lookupOperators(Document operators) {
        Object lower = null;
        Object upper = null;
        boolean lowerInclusive = false;
        boolean upperInclusive = false;
        for (Map.Entry<String, Object> entry : operators.entrySet()) {
            Object operand = entry.getValue();
            switch (entry.getKey()) {
                case "$eq":
                    if (isComparable(operand)) {
                        return equality(operand);
                    }
                    break;
                case "$in":
                    if (operand instanceof Collection<?> values && values.stream().allMatch(this::isInOperand)) {
                        List<Object> normalized = new ArrayList<>();
                        values.forEach(value -> normalized.add(Utils.normalizeValue(value)));
                        return new Lookup(normalized, null, false, null, false);
                    }
                    break;
                case "$gt":
                case "$gte":
                    if (isComparable(operand)) {
                        lower = Utils.normalizeValue(operand);
                        lowerInclusive = entry.getKey().equals("$gte");
                    }
                    break;
                case "$lt":
                case "$lte":
                    if (isComparable(operand)) {
                        upper = Utils.normalizeValue(operand);
                        upperInclusive = entry.getKey().equals("$lte");
                    }
                    break;
                default:
                    // Any other condition on the key only removes documents: the collection checks it on the candidates.
            }
        }
        if (lower == null && upper == null) {
            return null;
        }
        if (multikey && lower != null) {
            upper = null; // [0, 10] matches {$gt: 5, $lt: 1}: one element meets each bound
        }
        return new Lookup(null, lower, lowerInclusive, upper, upperInclusive);
    }

    private Lookup equality(Object value) {
        List<Object> values = new ArrayList<>();
        values.add(Utils.normalizeValue(value));
        return new Lookup(values, null, false, null, false);
    }

    private boolean isInOperand(Object value) {
        return value == null ? !isSparse() : isComparable(value);
    }

    /** A scalar compared by value: not null, a pattern, an array or a sub-document (which match by other rules). */
    static boolean isComparable(Object value) {
        return value != null
            && !Missing.isNullOrMissing(value)
            && !(value instanceof Collection)
            && !(value instanceof Map)
            && !(value instanceof Pattern)
            && !BsonRegularExpression.isRegularExpression(value);
    }

    /** The first key's distinct values in a document (one per array element), normalised as queried values are. */
    private Set<Object> firstKeyValues(Document document) {
        Set<Object> values = new LinkedHashSet<>();
        for (KeyValue keyValue : getKeyValues(document)) {
            values.add(keyValue.get(0));
        }
        return values;
    }

    private boolean lacksKey(Document document) {
        return isSparse() && keys().stream().noneMatch(key -> Utils.hasSubdocumentValue(document, key));
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
        getKeyValues(document); // refuses parallel arrays under a compound key, as MongoDB does
    }

    @Override
    public void add(Document document, Object position, MongoCollection<Object> collection) {
        if (lacksKey(document)) {
            return;
        }
        if (Utils.getSubdocumentValueCollectionAware(document, firstKey) instanceof Collection) {
            multikey = true;
        }
        Set<Object> values = firstKeyValues(document);
        if (values.isEmpty()) {
            unordered.add(position);
        }
        for (Object value : values) {
            if (value == null) {
                nullValued.add(position);
            } else if (isComparable(value)) {
                byValue.computeIfAbsent(value, key -> ConcurrentHashMap.newKeySet()).add(position);
            } else {
                unordered.add(position);
            }
        }
        entries.incrementAndGet();
    }

    @Override
    public Object remove(Document document) {
        Object position = document.get(ID_FIELD);
        if (lacksKey(document)) {
            return null;
        }
        removeAt(document, position);
        return position;
    }

    private void removeAt(Document document, Object position) {
        unordered.remove(position);
        for (Object value : firstKeyValues(document)) {
            if (value == null) {
                nullValued.remove(position);
            } else if (isComparable(value)) {
                byValue.computeIfPresent(value, (key, positions) -> {
                    positions.remove(position);
                    return positions.isEmpty() ? null : positions;
                });
            }
        }
        entries.decrementAndGet();
    }

    /** Null: a secondary index does not identify a document; the collection asks its _id index. */
    @Override
    public Object getPosition(Document document) {
        return null;
    }

    @Override
    public long getCount() {
        return entries.get();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        getKeyValues(newDocument);
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection) {
        if (nullAwareEqualsKeys(oldDocument, newDocument)) {
            return;
        }
        if (!lacksKey(oldDocument)) {
            removeAt(oldDocument, position);
        }
        add(newDocument, position, collection);
    }

    @Override
    public void drop() {
        byValue.clear();
        nullValued.clear();
        unordered.clear();
        entries.set(0);
    }
}
