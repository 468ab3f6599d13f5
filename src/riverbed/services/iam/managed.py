"""AWS managed policies riverbed knows, with AWS's statements, under ``arn:aws:iam::aws:policy/...``.

Owns: the policies the applications riverbed serves attach to their roles: Lambda's execution roles
(basic, DynamoDB streams, SQS), DynamoDB, SQS, SNS, CloudWatch Logs, KMS power user, administrator.
Statements as AWS publishes them in the managed policy reference
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html).

Must not: store anything (these exist in every account and cannot be changed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
STREAM_READ = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
_INSIGHTS = {"Effect": "Allow", "Action": "cloudwatch:GetInsightRuleReport",
             "Resource": "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*"}


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    path: str
    description: str
    document: dict[str, Any]
    created: float = 1423000000.0      # shown as CreateDate/UpdateDate; AWS's own dates vary by policy

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def policy_id(self) -> str:
        digest = hashlib.sha256(self.name.encode()).hexdigest().upper()
        return "ANPA" + "".join(c for c in digest if c.isalnum())[:17]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


_DYNAMODB_READ_ONLY = [
    "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
    "application-autoscaling:DescribeScalingPolicies", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
    "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics", "datapipeline:DescribeObjects", "datapipeline:DescribePipelines",
    "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines", "datapipeline:QueryObjects",
    "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetAbacStatus", "dynamodb:GetItem",
    "dynamodb:GetResourcePolicy", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect", "dax:Describe*",
    "dax:List*", "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan", "ec2:DescribeVpcs",
    "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey",
    "kms:ListAliases", "sns:ListSubscriptionsByTopic", "sns:ListTopics", "lambda:ListFunctions",
    "lambda:ListEventSourceMappings", "lambda:GetFunctionConfiguration", "resource-groups:ListGroups",
    "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
    "tag:GetResources", "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
]
_DYNAMODB_FULL = [
    "dynamodb:*", "dax:*", "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget", "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingActivities", "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:PutScalingPolicy", "application-autoscaling:RegisterScalableTarget",
    "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
    "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
    "cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData", "datapipeline:ActivatePipeline",
    "datapipeline:CreatePipeline", "datapipeline:DeletePipeline", "datapipeline:DescribeObjects",
    "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines",
    "datapipeline:PutPipelineDefinition", "datapipeline:QueryObjects", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
    "sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions", "sns:ListSubscriptionsByTopic",
    "sns:ListTopics", "sns:Subscribe", "sns:Unsubscribe", "sns:SetTopicAttributes", "lambda:CreateFunction",
    "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:CreateEventSourceMapping",
    "lambda:DeleteEventSourceMapping", "lambda:GetFunctionConfiguration", "lambda:DeleteFunction",
    "resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup",
    "resource-groups:GetGroupQuery", "resource-groups:DeleteGroup", "resource-groups:CreateGroup",
    "tag:GetResources", "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
]

POLICIES: tuple[ManagedPolicy, ...] = (
    ManagedPolicy("AWSLambdaBasicExecutionRole", "/service-role/",
                  "Provides write permissions to CloudWatch Logs.",
                  _doc({"Effect": "Allow", "Action": LOGS, "Resource": "*"})),
    ManagedPolicy("AWSLambdaDynamoDBExecutionRole", "/service-role/",
                  "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
                  _doc({"Effect": "Allow", "Action": STREAM_READ + LOGS, "Resource": "*"})),
    ManagedPolicy("AWSLambdaSQSQueueExecutionRole", "/service-role/",
                  "Provides receive message, delete message, and read attribute access to SQS queues, "
                  "and write permissions to CloudWatch logs.",
                  _doc({"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                      "sqs:GetQueueAttributes", *LOGS], "Resource": "*"})),
    ManagedPolicy("AWSLambdaInvocation-DynamoDB", "/",
                  "Provides read access to DynamoDB Streams.",
                  _doc({"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": "*"},
                       {"Effect": "Allow", "Action": STREAM_READ, "Resource": "*"})),
    ManagedPolicy("AWSLambdaRole", "/service-role/",
                  "Default policy for AWS Lambda service role.",
                  _doc({"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": ["*"]})),
    ManagedPolicy("AmazonDynamoDBFullAccess", "/",
                  "Provides full access to Amazon DynamoDB via the AWS Management Console.",
                  _doc({"Action": _DYNAMODB_FULL, "Effect": "Allow", "Resource": "*"}, _INSIGHTS,
                       {"Action": ["iam:PassRole"], "Effect": "Allow", "Resource": "*",
                        "Condition": {"StringLike": {"iam:PassedToService": [
                            "application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn",
                            "dax.amazonaws.com"]}}},
                       {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"], "Resource": "*",
                        "Condition": {"StringEquals": {"iam:AWSServiceName": [
                            "replication.dynamodb.amazonaws.com", "dax.amazonaws.com",
                            "dynamodb.application-autoscaling.amazonaws.com",
                            "contributorinsights.dynamodb.amazonaws.com",
                            "kinesisreplication.dynamodb.amazonaws.com"]}}})),
    ManagedPolicy("AmazonDynamoDBReadOnlyAccess", "/",
                  "Provides read only access to Amazon DynamoDB via the AWS Management Console.",
                  _doc({"Action": _DYNAMODB_READ_ONLY, "Effect": "Allow", "Resource": "*"}, _INSIGHTS)),
    ManagedPolicy("AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS via the AWS Management Console.",
                  _doc({"Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"})),
    ManagedPolicy("AmazonSNSFullAccess", "/", "Provides full access to Amazon SNS via the AWS Management Console.",
                  _doc({"Action": ["sns:*"], "Effect": "Allow", "Resource": "*"})),
    ManagedPolicy("CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs",
                  _doc({"Effect": "Allow", "Action": ["logs:*", "cloudwatch:GenerateQuery"], "Resource": "*"})),
    ManagedPolicy("AWSKeyManagementServicePowerUser", "/",
                  "Provides access to AWS Key Management Service (KMS).",
                  _doc({"Effect": "Allow", "Action": ["kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias",
                                                      "kms:Describe*", "kms:GenerateRandom", "kms:Get*",
                                                      "kms:List*", "kms:TagResource", "kms:UntagResource",
                                                      "iam:ListGroups", "iam:ListRoles", "iam:ListUsers"],
                        "Resource": "*"})),
    ManagedPolicy("AdministratorAccess", "/", "Provides full access to AWS services and resources.",
                  _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})),
)

BY_ARN: dict[str, ManagedPolicy] = {p.arn: p for p in POLICIES}
