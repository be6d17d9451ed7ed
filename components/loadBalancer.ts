import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlbSettings } from "../stack/settings";

export interface AppLoadBalancerArgs {
    /** Validated ALB settings of the stack. */
    readonly settings: AlbSettings;
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets, one per AZ. */
    readonly publicSubnetIds: pulumi.Input<string>[];
    /** Tags beyond its provider's default tags (index.ts gives the provider the stack's tags). */
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The one internet-facing ALB the app services share. Its security group admits the listener
 * ports from anywhere (the only such ingress in the stack) and may only reach the services'
 * security groups on their ports (each AppService adds that egress rule).
 */
export class AppLoadBalancer extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** What ALB metrics name it by (the LoadBalancer dimension). */
    readonly arnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    /** The listener app services attach their path rules to (HTTPS when a certificate is set). */
    readonly listenerArn: pulumi.Output<string>;
    /** The ports open to the internet. */
    readonly listenerPorts: readonly number[];

    constructor(name: string, args: AppLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-lifecycle:loadBalancer:AppLoadBalancer", name, {}, opts);
        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
        const https = args.settings.certificateArn !== undefined;
        this.listenerPorts = https ? [80, 443] : [80];

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: "Internet-facing ALB: listener ports in, service ports out",
                tags: { ...tags("sg"), "ecs-lifecycle:role": "alb" },
            },
            parent,
        );
        for (const port of this.listenerPorts) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-in-${port}`,
                {
                    securityGroupId: securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrIpv4: "0.0.0.0/0",
                    description: `listener ${port} from the internet`,
                },
                parent,
            );
        }
        this.securityGroupId = securityGroup.id;

        const loadBalancer = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                ipAddressType: "ipv4",
                subnets: args.publicSubnetIds,
                securityGroups: [securityGroup.id],
                dropInvalidHeaderFields: true,
                tags: tags("alb"),
            },
            parent,
        );
        this.arn = loadBalancer.arn;
        this.arnSuffix = loadBalancer.arnSuffix;
        this.dnsName = loadBalancer.dnsName;

        // Requests no service claims get a plain 404 rather than reaching an arbitrary service.
        const notFound = {
            type: "fixed-response",
            fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" },
        };
        if (https) {
            const listener = new aws.lb.Listener(
                `${name}-https`,
                {
                    loadBalancerArn: loadBalancer.arn,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    certificateArn: args.settings.certificateArn,
                    defaultActions: [notFound],
                    tags: tags("https"),
                },
                parent,
            );
            new aws.lb.Listener(
                `${name}-http-redirect`,
                {
                    loadBalancerArn: loadBalancer.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [
                        {
                            type: "redirect",
                            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                        },
                    ],
                    tags: tags("http-redirect"),
                },
                parent,
            );
            this.listenerArn = listener.arn;
        } else {
            this.listenerArn = new aws.lb.Listener(
                `${name}-http`,
                {
                    loadBalancerArn: loadBalancer.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [notFound],
                    tags: tags("http"),
                },
                parent,
            ).arn;
        }

        this.registerOutputs({
            dnsName: this.dnsName,
            securityGroupId: this.securityGroupId,
            listenerArn: this.listenerArn,
        });
    }
}
