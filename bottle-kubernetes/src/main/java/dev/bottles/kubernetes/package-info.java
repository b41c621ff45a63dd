/**
 * Runs bottles on a Kubernetes cluster: per bottle an agent pod and a sidecar bundle pod, fenced by
 * NetworkPolicies over the namespace's default deny ({@code docs/kubernetes.md}).
 */
@NullMarked
package dev.bottles.kubernetes;

import org.jspecify.annotations.NullMarked;
