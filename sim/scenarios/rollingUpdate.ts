/**
 * rolling-update: a new AMI rolls through the whole group by instance refresh (launch before
 * terminate: minimum 100 %, maximum 200 %, the stack's warmup), every old instance drained by
 * the lifecycle hook before it goes. Shows: no running task killed, no service below its
 * desired count, every instance on the new AMI, how long drains took and what they cost.
 */
import { catalogEntry } from "./catalog";
import { refreshPreferences } from "./stackScenario";
import { workloadInstances } from "./serviceLoad";
import { refreshStatus, rollAmi } from "../harness";
import type { ScenarioCheck } from "./result";
import {
    neverBelowMinimumHealthy,
    runScenario,
    scaledDesiredCounts,
    servicesAtDesired,
    type Scenario,
} from "./scenario";

export const NEW_AMI = "ami-0bbbbbbbbbbbbbbb2";

/** Virtual time a refresh may take per instance before the scenario gives up on it. */
const SECONDS_PER_INSTANCE = 1200;

export const rollingUpdate: Scenario = {
    ...catalogEntry("rolling-update"),
    run(settings, options) {
        const instances = options.instances ?? workloadInstances(settings);
        return runScenario({
            name: "rolling-update",
            settings,
            options,
            deploy: {
                instances,
                desiredCounts: scaledDesiredCounts(settings, instances, options.hostPortServices),
            },
            sampleSeconds: 30,
            async body({ region, stack, recorder, step }) {
                const { deployed } = stack;
                step(`new AMI ${NEW_AMI}: launch template version 2, instance refresh started`);
                const refreshId = rollAmi(region, deployed, NEW_AMI, refreshPreferences(stack));
                const finished = () => {
                    const status = refreshStatus(region, deployed, refreshId);
                    return status !== "Pending" && status !== "InProgress";
                };
                await recorder.runUntil(finished, 3600 + instances * SECONDS_PER_INSTANCE);
                // Let the last drains' replacements settle so the final check reads a quiet cluster.
                await recorder.run(300);
                const status = refreshStatus(region, deployed, refreshId) ?? "missing";
                const group = region.autoscaling.groups.get(deployed.groupName)!;
                // A retained instance stays on the old AMI by design when its drain could not finish;
                // the retention check (scenario.ts) judges whether it was.
                const onOldAmi = [...group.instances.values()].filter(
                    (i) => region.ec2.get(i.instanceId)?.imageId !== NEW_AMI,
                );
                const retained = onOldAmi.filter((i) => i.lifecycleState === "Terminating:Retained");
                const oldAmi = onOldAmi.filter((i) => i.lifecycleState !== "Terminating:Retained");
                const onNewAmi = group.instances.size - onOldAmi.length;
                const checks: ScenarioCheck[] = [
                    {
                        name: "instance refresh succeeded",
                        passed: status === "Successful",
                        detail: `status ${status}`,
                    },
                    {
                        name: "every instance runs the new AMI, retained ones aside",
                        passed: oldAmi.length === 0,
                        detail:
                            (oldAmi.length === 0
                                ? `${onNewAmi} on ${NEW_AMI}`
                                : `${oldAmi.length} still on the old AMI (${oldAmi.map((i) => `${i.instanceId} ${i.lifecycleState}`).join(", ")})`) +
                            (retained.length > 0
                                ? `; ${retained.length} old instance(s) retained (${retained.map((i) => i.instanceId).join(", ")})`
                                : ""),
                    },
                    servicesAtDesired(region, stack),
                    neverBelowMinimumHealthy(region, stack),
                ];
                return checks;
            },
        });
    },
};
