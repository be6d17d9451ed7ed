import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

/**
 * @pulumi/eslint-plugin ships rules but no preset config (0.3.x exports only `rules`), so its
 * recommended set is every rule it has, as errors. Both read TypeScript types (an Output in a
 * template literal prints "Calling [toString] on an Output<T>…" instead of its value).
 */
const pulumiRecommended = Object.fromEntries(
    Object.keys(pulumi.rules).map((rule) => [`@pulumi/${rule}`, "error"]),
);

export default tseslint.config(
    { ignores: ["node_modules/", "build/", "coverage/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
            ],
            "no-console": "off",
            eqeqeq: ["error", "always", { null: "ignore" }],
        },
    },
    {
        // Where Outputs live: the program, its components, the scripts that synthesize it, the pack and
        // the component tests. Typed linting costs a TypeScript program, so the rest is left out.
        files: [
            "index.ts",
            "components/**/*.ts",
            "scripts/**/*.ts",
            "policy/**/*.ts",
            "test/components/**/*.ts",
        ],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: pulumiRecommended,
    },
    {
        // Layers point one way: the Lambda bodies, the stack's plain declarations and the simulated
        // region load without the Pulumi SDK and never reach into the components.
        files: ["runtime/**/*.ts", "stack/**/*.ts", "sim/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            group: ["@pulumi/*"],
                            message: "runtime/, stack/ and sim/ load without the Pulumi SDK.",
                        },
                        {
                            group: ["**/components/*"],
                            message: "components/ uses runtime/ and stack/, never the reverse.",
                        },
                    ],
                },
            ],
        },
    },
    {
        // Lambda bodies and shared declarations are below the simulated region and the scripts.
        files: ["runtime/**/*.ts", "stack/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        { group: ["@pulumi/*"], message: "runtime/ and stack/ load without the Pulumi SDK." },
                        {
                            group: ["**/components/*", "**/sim/*", "**/scripts/*"],
                            message: "runtime/ and stack/ are the bottom layers.",
                        },
                    ],
                },
            ],
        },
    },
    {
        // Lambda bodies are serialized by Pulumi's closure serializer, which keeps a class's
        // constructor and methods but drops its field initializers: the field would be undefined
        // on AWS while every local test passed.
        files: ["runtime/**/*.ts", "stack/**/*.ts"],
        rules: {
            "no-restricted-syntax": [
                "error",
                {
                    selector: "PropertyDefinition[value!=null]",
                    message:
                        "Pulumi's closure serialization drops class field initializers: assign the field in the constructor.",
                },
            ],
        },
    },
    {
        // Tests read mock-recorded resource inputs, whose shapes vary by resource type.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
