import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.InMemorySecondaryIndex;
import de.bwaldvogel.mongo.backend.InMemoryUniqueIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import java.util.List;
import org.h2.mvstore.MVStore;

/**
 * The local MongoDB-protocol database: mongo-java-server with its H2 MVStore backend, every database in one file.
 *
 * Usage: LocalMongoServer <host> <port> <data file>
 *
 * Each collection applies a write (update, findAndModify, delete) to one document at a time, so conditional
 * single-document updates are atomic under concurrency (packages/local-infra/test/atomicity.test.ts). MVStore
 * writes its changes to the file within a second and on a clean stop (SIGTERM, SIGINT), so data survives
 * restarts; a SIGKILL may lose the last second of writes.
 *
 * The server keeps only unique indexes and uses one only for a query on exactly its keys; every other query scans
 * its collection, under the collection's lock. Here every index is kept in memory and rebuilt when a collection is
 * opened: non-unique ones (de/bwaldvogel/mongo/backend/InMemorySecondaryIndex.java) as well as unique ones
 * (InMemoryUniqueIndex.java), which also answer queries that filter on more than their keys.
 */
public final class LocalMongoServer {
    /**
     * The version the server reports. The Node.js driver 7 requires wire version 9 (MongoDB 4.4) or later, while
     * mongo-java-server reports 8 by default; the commands the platform sends are the same either way.
     */
    private static final MongoVersion REPORTED = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    };

    private LocalMongoServer() {}

    /** H2's backend whose databases keep their indexes as described above. */
    private static final class IndexedH2Backend extends H2Backend {
        IndexedH2Backend(String dataFile) {
            super(MVStore.open(dataFile));
            // Unique indexes an earlier version persisted in the file would go stale here: without them, that version
            // rebuilds its own from the documents when it opens the file again.
            MVStore store = getMvStore();
            store.getMapNames().stream().filter(name -> name.contains("._index_")).forEach(store::removeMap);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new IndexedH2Database(databaseName, getMvStore(), getCursorRegistry());
        }
    }

    /**
     * H2Database's constructor opens the existing collections and their indexes, so these overrides run before any
     * field of this class would be set: they use none.
     */
    private static final class IndexedH2Database extends H2Database {
        IndexedH2Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
            super(databaseName, mvStore, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                boolean sparse) {
            return new InMemoryUniqueIndex(indexName, keys, sparse);
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                boolean sparse) {
            return new InMemorySecondaryIndex(indexName, keys, sparse);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: LocalMongoServer <host> <port> <data file>");
            System.exit(2);
        }
        MongoBackend backend = new IndexedH2Backend(args[2]).version(REPORTED);
        MongoServer server = new MongoServer(backend);
        server.bind(args[0], Integer.parseInt(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "shutdown"));
        System.err.println("local mongo server listening on " + args[0] + ":" + args[1] + ", data in " + args[2]);
        Thread.currentThread().join();
    }
}
