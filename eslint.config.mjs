import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
        // Tests read mock-recorded resource inputs, whose shapes vary by resource type.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
