#!/bin/sh
# Creates the launch-request queue and its dead-letter queue in LocalStack, with a redrive policy.
# Run once by the `init` service of docker/compose.yaml; safe to run again (create-queue returns the existing
# queue when its attributes are the same).
#
# The queue's own settings follow the worker's rules (README, "Pointing it at AWS or LocalStack"):
#   VisibilityTimeout >= launcher.sqs.visibility-timeout (60s)
#   maxReceiveCount    > launcher.max-attempts (10): the worker dead-letters first, with the token attached.
set -eu

queue=launch-requests
dlq=launch-requests-dlq

# 14 days, the SQS maximum: a rejected request waits for a human.
dlq_url=$(aws sqs create-queue --queue-name "$dlq" --attributes MessageRetentionPeriod=1209600 \
  --query QueueUrl --output text)
dlq_arn=$(aws sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)

cat > /tmp/queue-attributes.json <<JSON
{
  "VisibilityTimeout": "60",
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"$dlq_arn\",\"maxReceiveCount\":\"15\"}"
}
JSON
queue_url=$(aws sqs create-queue --queue-name "$queue" --attributes file:///tmp/queue-attributes.json \
  --query QueueUrl --output text)

echo "queue $queue_url"
echo "dlq   $dlq_url (redrive after 15 receives)"
