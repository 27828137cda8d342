// Writes flows.json beside this file: "chain" (10 function nodes) and "fan" (1 + 50 function nodes + join).
const fs = require("fs");
const FAN = 50, CHAIN = 10;
const flows = [];
const tab = (id, label) => flows.push({ id, type: "tab", label, disabled: false, info: "" });
const fn = (id, z, name, func, wires, x, y) => ({
    id, type: "function", z, name, func, outputs: 1, timeout: 0, noerr: 0,
    initialize: "", finalize: "", libs: [], x, y, wires: [wires]
});
const httpIn = (id, z, url, wire) => ({
    id, type: "http in", z, name: "", url, method: "post", upload: false,
    swaggerDoc: "", x: 100, y: 100, wires: [[wire]]
});
const httpOut = (id, z, x, y) => ({
    id, type: "http response", z, name: "", statusCode: "200",
    headers: { "content-type": "application/json" }, x, y, wires: []
});
// body may arrive as a string if the client omits content-type
// (and as a one-key urlencoded object if the client sends curl -d default content-type)
const PARSE = "let b = (typeof msg.payload === 'string') ? JSON.parse(msg.payload) : msg.payload;\n" +
    "if (b && b.input === undefined) { const k = Object.keys(b); if (k.length === 1) b = JSON.parse(k[0]); }\n";

// ---- chain: http in -> c1..c10 (each n = n + 1) -> http response
tab("tab_chain", "chain");
flows.push(httpIn("chain_in", "tab_chain", "/api/v1/tenants/default/flows/chain/runs", "c1"));
for (let i = 1; i <= CHAIN; i++) {
    let func;
    if (i === 1) func = PARSE + "msg.payload = { n: b.input.n + 1 };\nreturn msg;";
    else if (i < CHAIN) func = "msg.payload.n = msg.payload.n + 1;\nreturn msg;";
    else func = "msg.payload = { id: msg._msgid, status: 'succeeded', output: { n: msg.payload.n + 1 } };\nreturn msg;";
    flows.push(fn("c" + i, "tab_chain", "inc" + i, func, [i < CHAIN ? "c" + (i + 1) : "chain_out"], 100 + i * 120, 200));
}
flows.push(httpOut("chain_out", "tab_chain", 1500, 200));

// ---- fan: http in -> echo (tags msg.parts per request) -> f1..f50 in parallel -> join -> sum -> http response
tab("tab_fan", "fan");
const fanIds = Array.from({ length: FAN }, (_, i) => "f" + (i + 1));
flows.push(httpIn("fan_in", "tab_fan", "/api/v1/tenants/default/flows/fan/runs", "echo"));
flows.push(fn("echo", "tab_fan", "echo",
    PARSE + "msg.payload = { n: b.input.n };\n" +
    "// group key for the join: one group per request\n" +
    "msg.parts = { id: msg._msgid, count: " + FAN + ", index: 0, type: 'array' };\nreturn msg;",
    fanIds, 250, 200));
fanIds.forEach((id, i) => flows.push(fn(id, "tab_fan", "fan" + (i + 1),
    "msg.parts.index = " + i + ";\nmsg.payload = msg.payload.n + 1;\nreturn msg;",
    ["join"], 450, 40 + i * 40)));
// manual mode, count left empty => join uses msg.parts.id / msg.parts.count (50),
// so concurrent requests are grouped separately (a fixed count would share one group "_").
flows.push({
    id: "join", type: "join", z: "tab_fan", name: "join50", mode: "custom", build: "array",
    property: "payload", propertyType: "msg", key: "topic", joiner: "\\n", joinerType: "str",
    useparts: true, accumulate: false, timeout: "", count: "", reduceRight: false,
    reduceExp: "", reduceInit: "", reduceInitType: "", reduceFixup: "", x: 650, y: 200, wires: [["sum"]]
});
flows.push(fn("sum", "tab_fan", "sum",
    "let s = 0;\nfor (const v of msg.payload) s += v;\n" +
    "msg.payload = { id: msg._msgid, status: 'succeeded', output: { sum: s } };\nreturn msg;",
    ["fan_out"], 800, 200));
flows.push(httpOut("fan_out", "tab_fan", 950, 200));

fs.writeFileSync(__dirname + "/flows.json", JSON.stringify(flows, null, 2));
console.log("wrote flows.json with", flows.length, "nodes");
