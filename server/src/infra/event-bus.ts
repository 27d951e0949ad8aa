import { EventEmitter } from "node:events";

/** A live subscription to one topic: messages arrive in publish order until `close()`. */
export interface TopicSubscription<T> extends AsyncIterable<T> {
  close(): void;
}

/**
 * Carries live messages between the parts of the control plane. Delivery is best-effort and
 * at-most-once by contract (Redis pub/sub is), so anything durable lives in the database and
 * subscribers reconcile against it.
 */
export interface EventBus {
  publish(topic: string, message: unknown): Promise<void>;
  subscribe<T>(topic: string): TopicSubscription<T>;
  close(): Promise<void>;
}

/** The single-process bus: an EventEmitter with a buffered queue per subscriber. */
export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(topic: string, message: unknown): Promise<void> {
    this.emitter.emit(topic, message);
  }

  subscribe<T>(topic: string): TopicSubscription<T> {
    const buffered: T[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const onMessage = (message: T) => {
      buffered.push(message);
      wake?.();
    };
    this.emitter.on(topic, onMessage);
    const close = () => {
      if (closed) return;
      closed = true;
      this.emitter.off(topic, onMessage);
      wake?.();
    };
    return {
      close,
      async *[Symbol.asyncIterator]() {
        try {
          while (true) {
            const next = buffered.shift();
            if (next !== undefined) {
              yield next;
              continue;
            }
            if (closed) return;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        } finally {
          close();
        }
      },
    };
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
