/**
 * `teardown completion bash|zsh`: a shell completion script made from the command definitions
 * themselves (commands, their long options, the values of options with a fixed set of choices,
 * and explain's finding kinds), so it cannot fall behind them. zsh runs the same function
 * through its bash compatibility layer (bashcompinit).
 *
 *   source <(teardown completion bash)      # in ~/.bashrc
 *   source <(teardown completion zsh)       # in ~/.zshrc
 */
import type { Command } from "commander";

function shellWords(words: readonly string[]): string {
  // Option names, kinds and choices are our own identifiers; keep only safe characters anyway.
  return words.map((w) => w.replace(/[^A-Za-z0-9_.:-]/g, "")).join(" ");
}

export function completionScript(
  program: Command,
  shell: "bash" | "zsh",
  kinds: readonly string[],
): string {
  const commands = program.commands.map((c) => c.name()).filter((n) => n !== "help");
  const lines: string[] = [];
  if (shell === "zsh") {
    // compinit first: bashcompinit needs its compdef.
    lines.push("autoload -U +X compinit && compinit");
    lines.push("autoload -U +X bashcompinit && bashcompinit");
  }
  lines.push("_teardown() {");
  lines.push('  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"');
  lines.push('  if [ "$COMP_CWORD" -eq 1 ]; then');
  lines.push(
    `    COMPREPLY=($(compgen -W "${shellWords([...commands, "--help", "--version"])}" -- "$cur"))`,
  );
  lines.push("    return");
  lines.push("  fi");
  lines.push('  case "${COMP_WORDS[1]}" in');
  for (const c of program.commands) {
    if (c.name() === "help") continue;
    const options = c.options.map((o) => o.long).filter((x): x is string => x !== undefined);
    lines.push(`    ${c.name()})`);
    lines.push('      case "$prev" in');
    for (const o of c.options) {
      if (o.long !== undefined && o.argChoices !== undefined)
        lines.push(
          `        ${o.long}) COMPREPLY=($(compgen -W "${shellWords(o.argChoices)}" -- "$cur")); return ;;`,
        );
    }
    lines.push("      esac");
    lines.push('      if [[ "$cur" == -* ]]; then');
    lines.push(
      `        COMPREPLY=($(compgen -W "${shellWords([...options, "--help"])}" -- "$cur"))`,
    );
    if (c.name() === "explain") {
      lines.push("      else");
      lines.push(`        COMPREPLY=($(compgen -W "${shellWords(kinds)}" -- "$cur"))`);
    } else {
      lines.push("      else");
      lines.push('        COMPREPLY=($(compgen -f -- "$cur"))');
    }
    lines.push("      fi");
    lines.push("      ;;");
  }
  lines.push("  esac");
  lines.push("}");
  lines.push("complete -o filenames -F _teardown teardown");
  return lines.join("\n");
}
