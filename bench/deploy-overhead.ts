// 1. Deploy overhead: a Slipway deploy of a prebuilt image until it is healthy and routed, against
// the same steps done by hand on the same host over SSH (docker pull + run, curl the health URL
// until OK, write the nginx site, nginx -t, nginx -s reload). Target: ratio <= 1.3.
import { createService, deployImage, median, performance, setUp, sshTo, timeline, untilServed } from "./support.js";

const RUNS = 3;
const bodies = Object.fromEntries(Array.from({ length: RUNS + 1 }, (_, i) => [`r${i}`, `overhead-${i}`]));
const bench = await setUp("overhead", 1, bodies);
try {
  const host = bench.hosts[0]!;
  const ssh = sshTo(bench, host);
  await ssh.open();
  // Every image's layers on the host already (both sides then pull with a warm cache).
  for (const ref of Object.values(bench.images)) await ssh.exec(`docker pull -q ${ref}`);
  const serviceId = await createService(bench, "bench", "web");
  const slipwayHost = "web.bench.slipway.internal";

  const byHand = async (i: number) => {
    const ref = bench.images[`r${i}`]!;
    const t0 = performance.now();
    await ssh.exec(`docker pull -q ${ref}`);
    const published = (await ssh.exec(`docker run -d --name hand-${i} -p 127.0.0.1::7000 ${ref} >/dev/null && docker port hand-${i} 7000/tcp`)).trim();
    const port = published.split("\n")[0]!.split(":").at(-1);
    await ssh.exec(`until curl -fsS -o /dev/null http://127.0.0.1:${port}/; do sleep 0.05; done`);
    const site = `server {\n\tlisten 80;\n\tserver_name hand.bench.test;\n\tlocation / {\n\t\tproxy_pass http://127.0.0.1:${port};\n\t}\n}\n`;
    await ssh.exec("cat > /etc/nginx/conf.d/hand.conf && nginx -t -q && nginx -s reload", site);
    const routed = await untilServed([host.address], "hand.bench.test", bodies[`r${i}`]!);
    if (i > 0) await ssh.exec(`docker rm -f hand-${i - 1} >/dev/null`);
    return routed - t0;
  };

  const withSlipway = async (i: number) => {
    const t0 = performance.now();
    const { done } = await deployImage(bench, serviceId, bench.images[`r${i}`]!);
    const routed = await untilServed([host.address], slipwayHost, bodies[`r${i}`]!);
    const events = await done;
    if (events.at(-1)!.level === "ERROR") throw new Error(events.at(-1)!.message);
    const finished = events.at(-1)!.at;
    return { routed: routed - t0, finished: finished - t0, timeline: timeline(events) };
  };

  // Warm-up (not counted): the first container of the service, the first site file.
  await byHand(0);
  await withSlipway(0);
  const hand: number[] = [];
  const slipRouted: number[] = [];
  const slipFinished: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    hand.push(await byHand(i));
    const s = await withSlipway(i);
    slipRouted.push(s.routed);
    slipFinished.push(s.finished);
    console.log(`run ${i}: by hand ${Math.round(hand.at(-1)!)} ms; Slipway routed ${Math.round(s.routed)} ms, operation finished ${Math.round(s.finished)} ms`);
    console.log(`  Slipway events (ms after the first): ${s.timeline}`);
  }
  await ssh.close();
  const h = median(hand);
  const r = median(slipRouted);
  const f = median(slipFinished);
  console.log(`\nDEPLOY OVERHEAD (median of ${RUNS}): by hand ${Math.round(h)} ms, Slipway until routed ${Math.round(r)} ms -> ratio ${(r / h).toFixed(2)} (target <= 1.3)`);
  console.log(`  Slipway until its operation finished (drain + old container stopped + cleanup): ${Math.round(f)} ms -> ratio ${(f / h).toFixed(2)}`);
} finally {
  await bench.close();
}
