import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

/**
 * `pulumi preview --policy-pack policy` runs this module. Constructing the pack starts the
 * analyzer server the engine talks to, so the policies live in policies.ts where tests (and the
 * plan) can import them without an engine.
 */
// Each policy carries its rule's tier (mandatory or advisory) as its own enforcement level.
new PolicyPack("ecs-lifecycle", { policies });
