// Takeover after SIGKILL: an operation runs on one replica of three (cluster mode: PostgreSQL +
// Redis, compiled replicas, the default 10 s lease); that replica is killed with SIGKILL; how long
// until another replica takes the operation over (its "stopped answering" event) and until the
// operation is INTERRUPTED (goal <= 15 s)? Three rounds, the killed replica restarted after each.
// Prints figures only.
import { setTimeout as sleep } from "node:timers/promises";
import { parseBenchEvent } from "./cluster/emit-events-operation.js";
import { operationStatus, startBenchCluster, subscribe, type ReceivedEvent } from "./cluster/support.js";

const ROUNDS = 3;

const target = await startBenchCluster(3);
const results: { takeover: number; interrupted: number }[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const operationId = await target.emitEvents({ count: 100_000, intervalMs: 100 }, round % 3);
    let owner: string | undefined;
    let recoveredAt: number | undefined;
    const watch = (event: ReceivedEvent) => {
      owner ??= parseBenchEvent(event.message)?.replica;
      if (event.step === "recover") recoveredAt ??= event.receivedAt;
    };
    const subscribers = target.replicas.map((replica) => subscribe(replica, target.token, operationId, watch));
    for (const s of subscribers) s.done.catch(() => undefined); // the killed replica's subscriber loses its socket
    while (!owner) await sleep(50);
    await sleep(2_000);
    const victim = target.replicas.find((r) => String(r.port) === owner)!;
    const survivor = target.replicas.find((r) => r !== victim)!;

    const killedAt = Date.now();
    await target.cluster!.kill(victim.name, "SIGKILL");
    let interruptedAt: number | undefined;
    while (!interruptedAt && Date.now() - killedAt < 120_000) {
      if ((await operationStatus(survivor, target.token, operationId)) === "INTERRUPTED") interruptedAt = Date.now();
      else await sleep(100);
    }
    await sleep(200);
    const takeover = ((recoveredAt ?? Number.NaN) - killedAt) / 1000;
    const interrupted = ((interruptedAt ?? Number.NaN) - killedAt) / 1000;
    results.push({ takeover, interrupted });
    console.log(`round ${round}: killed ${victim.name} (it ran the operation); taken over after ${takeover.toFixed(1)} s, INTERRUPTED after ${interrupted.toFixed(1)} s`);
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    await target.cluster!.restart(victim.name);
  }
} finally {
  await target.close();
}
const worst = Math.max(...results.map((r) => r.interrupted));
console.log(`\nTAKEOVER after SIGKILL: at most ${worst.toFixed(1)} s until INTERRUPTED over ${ROUNDS} rounds (goal <= 15 s; lease 10 s)`);
process.exit(0);
