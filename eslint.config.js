// Lint configuration. Besides the recommended TypeScript rules, it keeps the layers importing in
// one direction: capture -> decode -> flow -> analysis -> report -> cli (STYLE.md, practice 12).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layers = ["capture", "decode", "flow", "analysis", "report", "cli"];

/** A lower layer may not import from any layer above it. */
const layerRules = layers.slice(0, -1).map((layer, i) => {
  const above = layers.slice(i + 1);
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: `(^|/)(${above.join("|")})(/|$)`,
              message: `${layer} sits below ${above.join(", ")}: layers import in one direction.`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bench/out/", "test-output/", "samples/**/*.go"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // Only the CLI touches the process (STYLE.md, practice 11).
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**"],
    rules: {
      "no-restricted-globals": ["error", "process", "console"],
      "no-restricted-properties": ["error", { object: "Date", property: "now" }],
    },
  },
  ...layerRules,
);
