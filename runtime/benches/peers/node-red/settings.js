// Node-RED for the external benchmark: loopback only, no editor or admin
// API, everything kept in the directory this file is copied to.
module.exports = {
    uiHost: "127.0.0.1",
    uiPort: 1880,
    userDir: __dirname + "/user",
    flowFile: __dirname + "/flows.json",
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: "/",
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    logging: { console: { level: "warn", metrics: false, audit: false } },
    externalModules: { autoInstall: false },
    functionExternalModules: false,
    functionTimeout: 0,
    exportGlobalContextKeys: false,
    editorTheme: { projects: { enabled: false } }
};
