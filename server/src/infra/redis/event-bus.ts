import type { Redis } from "ioredis";
import type { EventBus, TopicSubscription } from "../../domain/ports.js";
import type { Logger } from "../../logger.js";

const CHANNEL_PREFIX = "slipway:bus:";

/**
 * Live messages between replicas over Redis pub/sub (at most once, like the interface promises):
 * one publishing and one subscribed connection per replica; a channel is subscribed while at
 * least one local subscriber wants its topic.
 */
export class RedisEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<(message: unknown) => void>>();
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly log: Logger,
  ) {
    subscriber.on("message", (channel: string, text: string) => {
      const local = this.listeners.get(channel.slice(CHANNEL_PREFIX.length));
      if (!local) return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      for (const listener of local) listener(message);
    });
  }

  async publish(topic: string, message: unknown): Promise<void> {
    await this.publisher.publish(CHANNEL_PREFIX + topic, JSON.stringify(message));
  }

  subscribe<T>(topic: string): TopicSubscription<T> {
    const buffered: T[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const onMessage = (message: unknown) => {
      buffered.push(message as T);
      wake?.();
    };
    let local = this.listeners.get(topic);
    if (!local) {
      local = new Set();
      this.listeners.set(topic, local);
      this.subscribing.set(
        topic,
        this.subscriber.subscribe(CHANNEL_PREFIX + topic).then(
          () => undefined,
          (error: unknown) => this.log.warn({ err: error, topic }, "could not subscribe to a live topic; the stream falls back to polling"),
        ),
      );
    }
    local.add(onMessage);
    const ready = this.subscribing.get(topic) ?? Promise.resolve();

    const close = () => {
      if (closed) return;
      closed = true;
      const set = this.listeners.get(topic);
      set?.delete(onMessage);
      if (set && set.size === 0) {
        this.listeners.delete(topic);
        this.subscribing.delete(topic);
        void this.subscriber.unsubscribe(CHANNEL_PREFIX + topic).catch(() => undefined);
      }
      wake?.();
    };
    return {
      ready,
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
    this.listeners.clear();
  }
}
