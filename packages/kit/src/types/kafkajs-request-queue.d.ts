// kafkajs' per-connection request queue: internal, untyped; only what kafka/request-queue-patch.ts touches.
declare module 'kafkajs/src/network/requestQueue' {
  class RequestQueue {
    pending: unknown[];
    scheduleCheckPendingRequests(): void;
    checkPendingRequests(): void;
  }
  export = RequestQueue;
}
