// The decision rules alone (pure): HPA's formula, its tolerance and its handling of missing and
// warming servers; the step limit, cooldown, scale-in window, bounds, and who may be removed.
import { describe, expect, it } from "vitest";
import { decideScale, type DecisionInput, type PolicyRules } from "../src/domain/autoscaling/decide-scale.js";
import { recommendForMetric, type ServerObservation } from "../src/domain/autoscaling/recommend-servers.js";

const NOW = new Date("2026-12-03T12:00:00Z");

function server(name: string, figures: Partial<ServerObservation> = {}): ServerObservation {
  return { serverId: `id-${name}`, name, warm: true, cpuPercent: null, requestsPerSecond: null, unreachable: false, removable: false, joinedAt: new Date(NOW.getTime() - 3_600_000), ...figures };
}

const rules: PolicyRules = {
  minServers: 1, maxServers: 10, targetCpuPercent: 60, targetRequestsPerSecond: null, scaleOutStep: 4, scaleOutCooldownSeconds: 180, scaleInWindowSeconds: 600, lastScaleOutAt: null,
};

function decide(servers: ServerObservation[], overrides: Partial<Omit<DecisionInput, "policy">> & { policy?: Partial<PolicyRules> } = {}) {
  const { policy, ...rest } = overrides;
  return decideScale({ policy: { ...rules, ...policy }, servers, now: NOW, windowHighest: null, deploymentRunning: false, scalingOperationId: null, hasRelease: true, ...rest });
}

const cpu = (s: ServerObservation) => s.cpuPercent;

describe("one target's recommendation (HPA)", () => {
  it("is ceil(current × observed / target)", () => {
    const servers = [server("a", { cpuPercent: 90 }), server("b", { cpuPercent: 74 })];
    expect(recommendForMetric("CPU", servers, 60, cpu)).toMatchObject({ usage: 82, counted: 2, recommended: 3 });
  });

  it("changes nothing within the 10% tolerance", () => {
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 65 }), server("b", { cpuPercent: 66 })], 60, cpu)?.recommended).toBe(2);
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 55 }), server("b", { cpuPercent: 54 })], 60, cpu)?.recommended).toBe(2);
  });

  it("gives no recommendation without a single figure", () => {
    expect(recommendForMetric("CPU", [server("a"), server("b", { warm: false, cpuPercent: 99 })], 60, cpu)).toBeNull();
  });

  it("counts servers without figures as idle when the others ask for more", () => {
    // 90% on one, nothing from the other: (90 + 0) / 2 = 45% < 60% → the direction flips: no change.
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 90 }), server("b")], 60, cpu)).toMatchObject({ recommended: 2, missing: 1 });
    // 150% of target on two, nothing from a third: (90 + 90 + 0) / 3 = 60%: within tolerance.
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 90 }), server("b", { cpuPercent: 90 }), server("c")], 60, cpu)?.recommended).toBe(3);
    // Far above: (100 + 100 + 0) / 3 = 66.7% → ceil(1.11 × 3) = 4.
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 100 }), server("b", { cpuPercent: 100 }), server("c")], 60, cpu)?.recommended).toBe(4);
  });

  it("counts servers without figures as exactly at the target when the others ask for fewer", () => {
    // 6% and 6%, one without figures: (6 + 6 + 60) / 3 = 24% → ceil(0.4 × 3) = 2, not 1.
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 6 }), server("b", { cpuPercent: 6 }), server("c")], 60, cpu)?.recommended).toBe(2);
  });

  it("counts warming servers as idle when scaling out and leaves them out when scaling in", () => {
    const warming = server("new", { warm: false, cpuPercent: 100 });
    // (120 + 0) / 2 = 60%: the warming server absorbs the excess, no change.
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 120 }), warming], 60, cpu)).toMatchObject({ recommended: 2, warming: 1 });
    // Scaling in: the warming server's 100% is ignored; 6% on one → 1.
    expect(recommendForMetric("CPU", [server("a", { cpuPercent: 6 }), warming], 60, cpu)?.recommended).toBe(1);
  });
});

describe("a decision", () => {
  it("scales out promptly, saying why in words", () => {
    const d = decide([server("a", { cpuPercent: 82 }), server("b", { cpuPercent: 82 }), server("c", { cpuPercent: 82 })]);
    expect(d).toMatchObject({ action: "SCALE_OUT", current: 3, recommended: 5, desired: 5 });
    expect(d.reason).toBe("CPU 82% over 3 servers, target 60% → 5 servers: scaling out from 3 to 5 servers");
  });

  it("takes the larger recommendation of CPU and requests", () => {
    const d = decide([server("a", { cpuPercent: 30, requestsPerSecond: 25 })], { policy: { targetRequestsPerSecond: 5 } });
    expect(d).toMatchObject({ action: "SCALE_OUT", recommended: 5, desired: 5 });
    expect(d.reason).toContain("requests 25/s per server over 1 server, target 5/s → 5 servers");
  });

  it("adds at most double or +scaleOutStep at once, and never past the maximum", () => {
    expect(decide([server("a", { cpuPercent: 100 * 10 })], { policy: { scaleOutStep: 2 } })).toMatchObject({ desired: 3, recommended: 17 });
    expect(decide(Array.from({ length: 5 }, (_, i) => server(`s${i}`, { cpuPercent: 600 })))).toMatchObject({ desired: 10 });
    const capped = decide([server("a", { cpuPercent: 300 })], { policy: { maxServers: 3 } });
    expect(capped).toMatchObject({ action: "SCALE_OUT", desired: 3 });
    expect(capped.reason).toMatch(/\(the maximum is 3\)$/);
    expect(decide([server("a", { cpuPercent: 300 }), server("b", { cpuPercent: 300 })], { policy: { maxServers: 2 } })).toMatchObject({ action: "NONE", desired: 2 });
  });

  it("waits out the cooldown after a scale-out", () => {
    const d = decide([server("a", { cpuPercent: 100 })], { policy: { lastScaleOutAt: new Date(NOW.getTime() - 60_000) } });
    expect(d).toMatchObject({ action: "NONE", desired: 1 });
    expect(d.reason).toMatch(/120 s of cooldown left$/);
  });

  it("scales in one server at a time, to the highest recommendation of the window, removing the newest it created", () => {
    const servers = [
      server("adopted", { cpuPercent: 5 }),
      server("old", { cpuPercent: 5, removable: true, joinedAt: new Date(NOW.getTime() - 7_200_000) }),
      server("new", { cpuPercent: 5, removable: true, joinedAt: new Date(NOW.getTime() - 3_600_000) }),
    ];
    expect(decide(servers, { windowHighest: 3 })).toMatchObject({ action: "NONE", recommended: 1 });
    expect(decide(servers, { windowHighest: 3 }).reason).toMatch(/staying at 3: the highest recommendation of the last 600 s is 3 servers$/);
    const d = decide(servers, { windowHighest: 1 });
    expect(d).toMatchObject({ action: "SCALE_IN", desired: 2, removeServerId: "id-new" });
    expect(d.reason).toBe("CPU 5% over 3 servers, target 60% → 1 server: scaling in towards 1 server: removing new");
  });

  it("never removes an adopted or hand-made server, an unreachable one, or any while a deploy runs", () => {
    const idle = (name: string, extra: Partial<ServerObservation> = {}) => server(name, { cpuPercent: 1, ...extra });
    expect(decide([idle("adopted"), idle("manual")])).toMatchObject({ action: "NONE" });
    expect(decide([idle("adopted"), idle("manual")]).reason).toMatch(/no server this policy created can be removed/);
    expect(decide([idle("adopted"), idle("lost", { removable: true, unreachable: true, cpuPercent: null })]).action).toBe("NONE");
    const busy = decide([idle("adopted"), idle("mine", { removable: true })], { deploymentRunning: true });
    expect(busy).toMatchObject({ action: "NONE" });
    expect(busy.reason).toMatch(/a deploy of the service is running$/);
  });

  it("never goes below the minimum, and holds the bounds whatever the figures say", () => {
    const two = [server("a", { cpuPercent: 1, removable: true }), server("b", { cpuPercent: 1, removable: true })];
    expect(decide(two, { policy: { minServers: 2 } })).toMatchObject({ action: "NONE", desired: 2 });
    expect(decide([server("a", { cpuPercent: 1 })], { policy: { minServers: 3 } })).toMatchObject({ action: "SCALE_OUT", desired: 3 });
    expect(decide([...two, server("c", { cpuPercent: 99, removable: true })], { policy: { maxServers: 2 }, windowHighest: 9 })).toMatchObject({ action: "SCALE_IN", desired: 2 });
  });

  it("does nothing while a scaling operation runs or before any release runs, but still records what it would ask for", () => {
    expect(decide([server("a", { cpuPercent: 100 })], { scalingOperationId: "op" })).toMatchObject({ action: "NONE", recommended: 2 });
    expect(decide([server("a", { cpuPercent: 100 })], { hasRelease: false })).toMatchObject({ action: "NONE", recommended: 2 });
  });
});
