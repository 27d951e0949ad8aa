import { encodeGlobalID } from "@pothos/plugin-relay";
import { currentServiceMetrics, type CurrentServerFigures, type CurrentServiceFigures } from "../../domain/metrics/current-metrics.js";
import {
  serverMetrics, serviceMetrics, type ServerMetrics, type ServerPoint, type ServiceMetrics, type ServicePoint, type ServiceSeries,
} from "../../domain/metrics/query-metrics.js";
import { builder } from "../builder.js";
import { AutoscaleDecisionObject } from "./autoscaling.js";
import { ServerNode } from "./server.js";

const reachableDescription = "Null: nothing was collected in this interval. False: the server did not answer (a gap, never zeros).";

const ServicePointObject = builder.objectRef<ServicePoint>("ServiceMetricPoint").implement({
  description: "One interval of a service on one server: its containers and what nginx served for it.",
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime", description: "The start of the interval." }),
    reachable: t.exposeBoolean("reachable", { nullable: true, description: reachableDescription }),
    cpuPercent: t.exposeFloat("cpuPercent", { nullable: true, description: "The service's containers' CPU, in % of one core." }),
    memoryBytes: t.exposeFloat("memoryBytes", { nullable: true }),
    requestsPerSecond: t.exposeFloat("requestsPerSecond", { nullable: true }),
    errorsPerSecond: t.exposeFloat("errorsPerSecond", { nullable: true, description: "5xx responses per second." }),
    errorRate: t.exposeFloat("errorRate", { nullable: true, description: "5xx responses over requests (0..1); null without requests." }),
    latencyP50Ms: t.exposeFloat("latencyP50Ms", { nullable: true }),
    latencyP95Ms: t.exposeFloat("latencyP95Ms", { nullable: true }),
  }),
});

const ServerPointObject = builder.objectRef<ServerPoint>("ServerMetricPoint").implement({
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime", description: "The start of the interval." }),
    reachable: t.exposeBoolean("reachable", { nullable: true, description: reachableDescription }),
    cpuPercent: t.exposeFloat("cpuPercent", { nullable: true, description: "Host CPU utilisation over the interval, from cumulative counters." }),
    memoryUsedBytes: t.exposeFloat("memoryUsedBytes", { nullable: true }),
    memoryTotalBytes: t.exposeFloat("memoryTotalBytes", { nullable: true }),
    load1: t.exposeFloat("load1", { nullable: true }),
    diskFreeBytes: t.exposeFloat("diskFreeBytes", { nullable: true }),
    diskTotalBytes: t.exposeFloat("diskTotalBytes", { nullable: true }),
  }),
});

const ServiceSeriesObject = builder.objectRef<ServiceSeries>("ServiceMetricSeries").implement({
  fields: (t) => ({
    serverId: t.id({ resolve: (series) => encodeGlobalID("Server", series.serverId) }),
    serverName: t.exposeString("serverName", { description: "Kept after the server is removed, as long as its figures are." }),
    server: t.field({ type: ServerNode, nullable: true, description: "Null once the server is removed.", resolve: (series, _args, ctx) => ctx.deps.db.server.findUnique({ where: { id: series.serverId } }) }),
    points: t.field({ type: [ServicePointObject], resolve: (series) => series.points }),
  }),
});

const ServiceMetricsObject = builder.objectRef<ServiceMetrics>("ServiceMetrics").implement({
  description: "A service's figures over a time range: one series per server that ran it, and the scaling decisions that acted.",
  fields: (t) => ({
    from: t.expose("from", { type: "DateTime", description: "The start of the first interval (the range's start, aligned to the step)." }),
    to: t.expose("to", { type: "DateTime" }),
    stepSeconds: t.exposeInt("stepSeconds"),
    series: t.field({ type: [ServiceSeriesObject], resolve: (m) => m.series }),
    scaleEvents: t.field({ type: [AutoscaleDecisionObject], resolve: (m) => m.scaleEvents }),
  }),
});

const ServerMetricsObject = builder.objectRef<ServerMetrics>("ServerMetrics").implement({
  fields: (t) => ({
    from: t.expose("from", { type: "DateTime", description: "The start of the first interval (the range's start, aligned to the step)." }),
    to: t.expose("to", { type: "DateTime" }),
    stepSeconds: t.exposeInt("stepSeconds"),
    serverName: t.exposeString("serverName"),
    points: t.field({ type: [ServerPointObject], resolve: (m) => m.points }),
    scaleEvents: t.field({ type: [AutoscaleDecisionObject], description: "Scaling decisions of the services it runs (or was made for).", resolve: (m) => m.scaleEvents }),
  }),
});

const CurrentServerObject = builder.objectRef<CurrentServerFigures>("CurrentServerMetrics").implement({
  fields: (t) => ({
    server: t.field({ type: ServerNode, resolve: (f) => f.server }),
    reachable: t.exposeBoolean("reachable", { nullable: true, description: reachableDescription }),
    hostCpuPercent: t.exposeFloat("hostCpuPercent", { nullable: true }),
    cpuPercent: t.exposeFloat("cpuPercent", { nullable: true, description: "The service's containers, in % of one core." }),
    memoryBytes: t.exposeFloat("memoryBytes", { nullable: true }),
    requestsPerSecond: t.exposeFloat("requestsPerSecond", { nullable: true }),
    errorRate: t.exposeFloat("errorRate", { nullable: true }),
    latencyP50Ms: t.exposeFloat("latencyP50Ms", { nullable: true }),
    latencyP95Ms: t.exposeFloat("latencyP95Ms", { nullable: true }),
  }),
});

const CurrentServiceObject = builder.objectRef<CurrentServiceFigures>("CurrentServiceMetrics").implement({
  description: "The latest figures of a service, merged over a short window.",
  fields: (t) => ({
    windowSeconds: t.exposeInt("windowSeconds"),
    at: t.expose("at", { type: "DateTime", nullable: true, description: "The newest collection in the window." }),
    servers: t.field({ type: [CurrentServerObject], resolve: (f) => f.servers }),
    requestsPerSecond: t.exposeFloat("requestsPerSecond", { nullable: true, description: "The sum over its servers." }),
    errorRate: t.exposeFloat("errorRate", { nullable: true }),
    latencyP50Ms: t.exposeFloat("latencyP50Ms", { nullable: true }),
    latencyP95Ms: t.exposeFloat("latencyP95Ms", { nullable: true }),
  }),
});

builder.prismaObjectFields("Service", (t) => ({
  metrics: t.field({
    type: ServiceMetricsObject,
    args: {
      from: t.arg({ type: "DateTime", description: "Defaults to an hour before `to`." }),
      to: t.arg({ type: "DateTime", description: "Defaults to now." }),
      stepSeconds: t.arg.int({ description: "Defaults to a step giving about 240 points; at most 1440 points." }),
    },
    resolve: (service, args, ctx) => serviceMetrics(ctx.deps, service.id, { from: args.from ?? undefined, to: args.to ?? undefined, stepSeconds: args.stepSeconds ?? undefined }),
  }),
  currentMetrics: t.field({ type: CurrentServiceObject, resolve: (service, _args, ctx) => currentServiceMetrics(ctx.deps, service.id) }),
}));

builder.prismaObjectFields("Server", (t) => ({
  metrics: t.field({
    type: ServerMetricsObject,
    args: {
      from: t.arg({ type: "DateTime", description: "Defaults to an hour before `to`." }),
      to: t.arg({ type: "DateTime", description: "Defaults to now." }),
      stepSeconds: t.arg.int({ description: "Defaults to a step giving about 240 points; at most 1440 points." }),
    },
    resolve: (server, args, ctx) => serverMetrics(ctx.deps, server.id, { from: args.from ?? undefined, to: args.to ?? undefined, stepSeconds: args.stepSeconds ?? undefined }),
  }),
}));
