import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.util.List;

/**
 * The local MongoDB-protocol database: mongo-java-server with its H2 MVStore backend, every database in one file.
 *
 * Usage: LocalMongoServer <host> <port> <data file>
 *
 * Each collection applies a write (update, findAndModify, delete) to one document at a time, so conditional
 * single-document updates are atomic under concurrency (packages/local-infra/test/atomicity.test.ts). MVStore
 * writes its changes to the file within a second and on a clean stop (SIGTERM, SIGINT), so data survives
 * restarts; a SIGKILL may lose the last second of writes.
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

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: LocalMongoServer <host> <port> <data file>");
            System.exit(2);
        }
        MongoBackend backend = new H2Backend(args[2]).version(REPORTED);
        MongoServer server = new MongoServer(backend);
        server.bind(args[0], Integer.parseInt(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "shutdown"));
        System.err.println("local mongo server listening on " + args[0] + ":" + args[1] + ", data in " + args[2]);
        Thread.currentThread().join();
    }
}
