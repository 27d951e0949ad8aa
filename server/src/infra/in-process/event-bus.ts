import { EventEmitter } from "node:events";
import type { EventBus, TopicSubscription } from "../../domain/ports.js";

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
      ready: Promise.resolve(),
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
