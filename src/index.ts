/** teardown as a library: the layers' front doors. */
export * from "./capture/index.js";
export * from "./decode/index.js";
export * from "./report/index.js";
