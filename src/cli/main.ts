#!/usr/bin/env -S node --max-semi-space-size=64
/**
 * The `teardown` command. The only module that touches `process`: it parses arguments, runs a
 * command with the process's streams, and maps every outcome to an exit status (exit-codes.ts).
 *
 * The shebang gives V8 a larger young generation: every connection's state lives for a while and
 * would otherwise be copied by many more scavenges (measured: about 20% of analysis time on a
 * million short connections).
 */
import { createRequire } from "node:module";
import { constants } from "node:os";
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { completionScript } from "./completion.js";
import { DEFAULT_REPORT_FLOW_OPTIONS, type FindingKind } from "../analysis/index.js";
import { escapeForTerminal, explainKinds, formatExplain } from "../report/index.js";
import { OUTPUT_FORMATS, planOutputs, type OutputFormat } from "./analyze-outputs.js";
import {
  parseFailOn,
  parseFlowId,
  parseHost,
  parsePort,
  parseServer,
  parseTimePoint,
  selectionFrom,
} from "./selection-options.js";
import { runAnalyze, type StopReason, type ThreadsChoice } from "./commands/analyze.js";
import { runFlow } from "./commands/flow.js";
import { runPackets } from "./commands/packets.js";
import { EXIT_INTERNAL, EXIT_OUTPUT, EXIT_SIGNAL_BASE, EXIT_USAGE } from "./exit-codes.js";
import { describeError } from "./output-file.js";
import { addThresholdOptions, thresholdsFrom } from "./threshold-options.js";
import { applyConfigFile, CONFIG_FILE_NAME, type ConfigParsers } from "./config-file.js";

const pkg = createRequire(import.meta.url)("../../../package.json") as { version: string };
const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** A one-line usage error: said on stderr, exit status 1. */
function usageError(message: string): void {
  io.stderr.write(message + "\n");
  process.exitCode = EXIT_USAGE;
}

/**
 * A command's options with the configuration file applied (see config-file.ts), or undefined
 * after reporting a bad file.
 */
function configured(
  command: Command,
  section: "analyze" | "flow",
  parsers: ConfigParsers,
): Record<string, unknown> | undefined {
  const problem = applyConfigFile(
    command,
    command.opts()["config"] as string | undefined,
    section,
    parsers,
  );
  if (problem === undefined) return command.opts();
  usageError(problem);
  return undefined;
}

function buildProgram(): Command {
  const program = new Command()
    .name("teardown")
    .description("Read packet captures and explain how TCP connections ended.")
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("packets")
    .description("print one line per TCP packet, like tcpdump -r")
    .argument("<capture...>", "pcap or pcapng files (gzip allowed); - reads standard input")
    .option("-q, --quiet", "no per-file summary on stderr", false)
    .option("-a, --all", "also print a line for each packet not decoded as TCP, saying why", false)
    .addHelpText(
      "after",
      `
Each line: frame number, epoch time (ns), source > destination, tcpdump flags, raw seq and ack,
window, payload length (from the IP header, even when the snapshot length cut the packet).

Examples:
  teardown packets capture.pcap
  teardown packets rotated.pcap.gz | grep '\\[R'
  tcpdump -i any -w - port 8080 | teardown packets -`,
    )
    .action(async (captures: string[], opts: { quiet: boolean; all: boolean }) => {
      process.exitCode = await runPackets(captures, opts, io);
    });

  const analyze = program
    .command("analyze")
    .description("rebuild every TCP connection and explain how each ended")
    .argument(
      "<capture...>",
      "pcap or pcapng files (gzip allowed), read as one capture; - reads standard input",
    )
    .addOption(
      new Option("--format <format>", "what to write: the brief (text), or per-flow records")
        .choices(OUTPUT_FORMATS)
        .default("text"),
    )
    .option("-o, --output <file>", "where --format writes (default: stdout)")
    .option(
      "--json <file>",
      "also write the whole result as JSON (schema teardown/1); - for stdout",
    )
    .option("-q, --quiet", "no brief on stdout", false)
    .option(
      "--fail-on <list>",
      "exit with status 3 when a finding of these severities (warning, info) or kinds is present",
      parseFailOn,
    )
    .option(
      "--host <address>",
      "only connections with this address at either end (repeatable)",
      parseHost,
    )
    .option(
      "--port <port>",
      "only connections with this port at either end (repeatable)",
      parsePort,
    )
    .option(
      "--server <endpoint>",
      "only connections to this server: ADDRESS, ADDRESS:PORT, [IPv6]:PORT or :PORT (repeatable)",
      parseServer,
    )
    .option(
      "--since <time>",
      "only connections alive at or after: +SECONDS after the capture's start (+90s, +2m), epoch seconds or ISO 8601",
      parseTimePoint("--since"),
    )
    .option(
      "--until <time>",
      "only connections alive at or before this time (as --since)",
      parseTimePoint("--until"),
    )
    .option(
      "--flow <id>",
      "only this flow (repeatable); with --html, also drawn as a ladder",
      parseFlowId,
    )
    .option(
      "--html <file>",
      "also write the HTML report: brief, tables, flow ladders with inferred socket states, flow index (self-contained; - for stdout)",
    )
    .option(
      "--max-ladders <n>",
      `flow ladders in the HTML report: examples of each finding (default ${DEFAULT_REPORT_FLOW_OPTIONS.maxLadders})`,
      parseMaxLadders,
    )
    .option(
      "--threads <n>",
      "1: all on one thread; 2: per-flow analysis, JSON and HTTP parsing on a second thread; 3: files also read and decoded on a third (auto: 2 for inputs of 8 MiB and more with 2 CPUs, 3 with more)",
      parseThreads,
      "auto",
    );
  addThresholdOptions(analyze);
  analyze
    .addHelpText(
      "after",
      `
Examples:
  teardown analyze capture.pcap
  teardown analyze capture.pcap --json result.json
  teardown analyze capture.pcap --html report.html      # attach to the incident ticket
  teardown analyze capture.pcap --json - | jq '.summary.servers[0]'
  teardown analyze capture.pcap --fin-gap 5 --time-wait 30
  teardown analyze capture.pcap --format ndjson --server 10.0.0.5:443 --since +30s
  teardown analyze capture.pcap --fail-on warning,refused   # exit status 3 if any is found`,
    )
    .option("--config <file>", `defaults for options (else ./${CONFIG_FILE_NAME} if present)`)
    .action(async (captures: string[], _given: unknown, command: Command) => {
      const opts = configured(command, "analyze", analyzeConfigParsers());
      if (opts === undefined) return;
      const outputs = planOutputs({
        json: opts["json"] as string | undefined,
        format: opts["format"] as OutputFormat,
        output: opts["output"] as string | undefined,
        quiet: opts["quiet"] === true,
        html: opts["html"] as string | undefined,
      });
      if (typeof outputs === "string") return usageError(outputs);
      const select = selectionFrom(opts);
      const stop = stopOnSignals();
      process.exitCode = await runAnalyze(
        captures,
        {
          outputs,
          threads: opts["threads"] as ThreadsChoice,
          thresholds: thresholdsFrom(opts),
          select,
          failOn: opts["failOn"] as ((kind: FindingKind) => boolean) | undefined,
          version: pkg.version,
          progress: opts["quiet"] !== true && process.stderr.isTTY === true,
          signal: stop.signal,
          // Ladders and the flow index are kept only for the HTML report.
          ...(outputs.html !== undefined
            ? {
                report: {
                  ...DEFAULT_REPORT_FLOW_OPTIONS,
                  maxLadders:
                    (opts["maxLadders"] as number | undefined) ??
                    DEFAULT_REPORT_FLOW_OPTIONS.maxLadders,
                  requested: select.flowIds ?? [],
                },
              }
            : {}),
        },
        io,
      ).finally(stop.release);
    });

  const flow = program
    .command("flow")
    .usage("[options] <capture...> <id>")
    .description("draw one flow as a ladder with each side's inferred socket states")
    .argument(
      "<capture...>",
      "the capture(s) given to analyze, then the flow id (from its brief or JSON)",
    );
  addThresholdOptions(flow);
  flow
    .addHelpText(
      "after",
      `
Examples:
  teardown flow capture.pcap 12
  teardown flow capture.pcap 12 --fin-gap 5`,
    )
    .option("--config <file>", `defaults for options (else ./${CONFIG_FILE_NAME} if present)`)
    .action(async (args: string[], _given: unknown, command: Command) => {
      const opts = configured(command, "flow", {});
      if (opts === undefined) return;
      // commander allows a variadic argument only last: the id is taken off the end.
      const captures = args.slice(0, -1);
      const id = Number(args.at(-1));
      if (captures.length === 0 || !Number.isInteger(id) || id < 1)
        return usageError(
          "teardown flow: give the capture(s), then a flow id (1, 2, ...): teardown flow capture.pcap 12",
        );
      process.exitCode = await runFlow(captures, { id, thresholds: thresholdsFrom(opts) }, io);
    });

  program
    .command("explain")
    .description("what a finding kind means, how it shows on the wire, its causes and fixes")
    .argument("[kind]", `a finding kind (${explainKinds().join(", ")}); none lists them all`)
    .addHelpText(
      "after",
      `
Examples:
  teardown explain
  teardown explain rst-unread-data`,
    )
    .action((kind: string | undefined) => {
      const text = formatExplain(kind);
      if (text === undefined)
        return usageError(
          `teardown: no finding kind "${escapeForTerminal(kind ?? "")}"; known: ${explainKinds().join(", ")}`,
        );
      io.stdout.write(text + "\n");
    });

  program
    .command("completion")
    .description("print a shell completion script (bash or zsh)")
    .addArgument(new Argument("<shell>", "the shell").choices(["bash", "zsh"]))
    .addHelpText(
      "after",
      `
Examples:
  source <(teardown completion bash)   # add to ~/.bashrc
  source <(teardown completion zsh)    # add to ~/.zshrc`,
    )
    .action((shell: "bash" | "zsh") => {
      io.stdout.write(completionScript(program, shell, explainKinds()) + "\n");
    });

  return program;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM during `analyze`: the run, told through the signal, removes its
 * unfinished output files and says where it stopped, then the process ends (with the analysis
 * thread) with status 128 + the signal's number, as shells expect. `release` puts the default
 * handling back.
 */
function stopOnSignals(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const handle = (name: "SIGINT" | "SIGTERM"): void => {
    controller.abort(name satisfies StopReason);
    process.exit(EXIT_SIGNAL_BASE + constants.signals[name]);
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
  running = controller;
  return {
    signal: controller.signal,
    release: () => {
      process.off("SIGINT", handle);
      process.off("SIGTERM", handle);
      running = undefined;
    },
  };
}

/** The analysis under way, told to clean up when the process ends early (a signal, stdout). */
let running: AbortController | undefined;

/**
 * A write to a pipe whose reader went away (`teardown analyze big.pcap | head`) fails with
 * EPIPE: stop quietly, as Unix tools do. Any other output error (a full disk) is one line and
 * status 5.
 */
function watchOutput(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    // The run's output files, unfinished, are removed rather than left half written.
    running?.abort("stdout-failed" satisfies StopReason);
    if (e.code === "EPIPE")
      process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    if (stream !== process.stderr)
      process.stderr.write(`teardown: cannot write to stdout: ${describeError(e)}\n`);
    process.exit(EXIT_OUTPUT);
  });
}

async function main(): Promise<void> {
  watchOutput(process.stdout);
  watchOutput(process.stderr);
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end here too, with status 0.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(
      `teardown: internal error: ${message} (please report this with the capture)\n`,
    );
    if (process.env["TEARDOWN_DEBUG"] !== undefined && e instanceof Error)
      process.stderr.write(`${e.stack}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}

await main();

function parseFormat(value: string): OutputFormat {
  const known: readonly string[] = OUTPUT_FORMATS;
  if (known.includes(value)) return value as OutputFormat;
  throw new InvalidArgumentError(`format takes ${OUTPUT_FORMATS.join(", ")}, not "${value}"`);
}

/** What a config file's "analyze" section may set, parsed as on the command line. */
function analyzeConfigParsers(): ConfigParsers {
  return {
    format: parseFormat,
    failOn: parseFailOn,
    threads: parseThreads,
    quiet: (v: string): boolean => {
      if (v === "true" || v === "false") return v === "true";
      throw new InvalidArgumentError(`quiet takes true or false, not ${v}`);
    },
  };
}

function parseMaxLadders(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 1000)
    throw new InvalidArgumentError(`--max-ladders takes a number from 0 to 1000, not "${value}"`);
  return Number(value);
}

function parseThreads(value: string): ThreadsChoice {
  if (value === "auto" || value === "1" || value === "2" || value === "3") return value;
  throw new InvalidArgumentError(`--threads takes 1, 2, 3 or auto, not "${value}"`);
}
