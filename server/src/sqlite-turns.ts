// Prisma's better-sqlite3 adapter runs every query on one connection and keeps transactions apart
// from each other only: a query made outside a transaction while one is open runs inside it. It
// then sees that transaction's uncommitted writes, and is rolled back with it when the transaction
// fails (a refused claim, a lost lease): an operation recorded meanwhile by another request simply
// vanished. Here every query outside a transaction and every transaction take turns on the
// connection. better-sqlite3 is synchronous, so a query's turn lasts only as long as the query.
import type { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;

/** First come, first served: `take` resolves to the function that ends the turn. */
class Turns {
  private tail: Promise<void> = Promise.resolve();

  take(): Promise<() => void> {
    const previous = this.tail;
    let end!: () => void;
    this.tail = new Promise<void>((resolve) => (end = resolve));
    return previous.then(() => end);
  }

  async during<T>(work: () => Promise<T>): Promise<T> {
    const end = await this.take();
    try {
      return await work();
    } finally {
      end();
    }
  }
}

/** The adapter factory, with transactions and the queries outside them taking turns. */
export function takingTurns(factory: PrismaBetterSqlite3): PrismaBetterSqlite3 {
  return new Proxy(factory, {
    get(target, property, receiver) {
      if (property === "connect") return async () => withTurns(await target.connect());
      return bound(target, property, receiver);
    },
  });
}

function withTurns(adapter: Adapter): Adapter {
  const turns = new Turns();
  return new Proxy(adapter, {
    get(target, property, receiver) {
      switch (property) {
        case "queryRaw":
          return (query: Parameters<Adapter["queryRaw"]>[0]) => turns.during(() => target.queryRaw(query));
        case "executeRaw":
          return (query: Parameters<Adapter["executeRaw"]>[0]) => turns.during(() => target.executeRaw(query));
        case "executeScript":
          return (script: string) => turns.during(() => target.executeScript(script));
        case "startTransaction":
          return async (isolationLevel?: Parameters<Adapter["startTransaction"]>[0]) => {
            const end = await turns.take();
            try {
              return endingTurn(await target.startTransaction(isolationLevel), end);
            } catch (error) {
              end();
              throw error;
            }
          };
        default:
          return bound(target, property, receiver);
      }
    },
  });
}

/** The transaction's turn ends when it commits or rolls back. */
function endingTurn(transaction: Transaction, end: () => void): Transaction {
  return new Proxy(transaction, {
    get(target, property, receiver) {
      if (property === "commit" || property === "rollback") {
        return async () => {
          try {
            await target[property]();
          } finally {
            end();
          }
        };
      }
      return bound(target, property, receiver);
    },
  });
}

/** A property of the wrapped object; its methods keep the object itself as `this` (private fields). */
function bound(target: object, property: string | symbol, receiver: unknown): unknown {
  const value: unknown = Reflect.get(target, property, receiver);
  return typeof value === "function" ? value.bind(target) : value;
}
