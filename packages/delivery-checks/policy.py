"""Delivery policy on rendered manifests: what the charts promise, asserted on every scenario's output.

kubectl-validate checks that objects are well-formed; this checks that they are what we want: hardened pods,
probes on the kit's routes, stable selectors, only current API versions, a NetworkPolicy and a PDB for every
workload when the scenario has any, metrics never routed by an Ingress.

    python3 policy.py rendered.yaml [more.yaml ...]
    python3 policy.py --env-json env.json rendered.yaml   # also write each Deployment's environment (for config-contract.ts)

PyYAML comes with the machine image (Debian python3-yaml); nothing to install.
"""

import base64
import json
import sys

import yaml

# Current, non-deprecated API versions for Kubernetes 1.34 (and the prometheus-operator CRDs).
ALLOWED_API = {
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("apps/v1", "Deployment"),
    ("batch/v1", "Job"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("policy/v1", "PodDisruptionBudget"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("networking.k8s.io/v1", "Ingress"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
}
REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/part-of",
                   "app.kubernetes.io/managed-by", "app.kubernetes.io/version")
SELECTOR_KEYS = {"app.kubernetes.io/name", "app.kubernetes.io/instance"}


def selects(selector, labels):
    """A LabelSelector (matchLabels only; our charts use no expressions there) selects the labels."""
    match = (selector or {}).get("matchLabels", {})
    return bool(match) and all(labels.get(k) == v for k, v in match.items()) and not selector.get("matchExpressions")


def service_selects(service, labels):
    """A Service selector is a plain map."""
    match = service["spec"].get("selector") or {}
    return bool(match) and all(labels.get(k) == v for k, v in match.items())


def check_pod(where, spec, problems, app):
    pod_sc = spec.get("securityContext") or {}
    if spec.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: automountServiceAccountToken is not false")
    if pod_sc.get("runAsNonRoot") is not True:
        problems.append(f"{where}: pod securityContext.runAsNonRoot is not true")
    if (pod_sc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append(f"{where}: pod seccompProfile is not RuntimeDefault")
    tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
    for c in spec.get("containers", []):
        cw = f"{where} container {c['name']}"
        sc = c.get("securityContext") or {}
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{cw}: allowPrivilegeEscalation is not false")
        if sc.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{cw}: readOnlyRootFilesystem is not true")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            problems.append(f"{cw}: capabilities do not drop ALL")
        if not any(m.get("mountPath") == "/tmp" and m.get("name") in tmp_volumes for m in c.get("volumeMounts", [])):
            problems.append(f"{cw}: no emptyDir mounted at /tmp")
        res = c.get("resources") or {}
        if not (res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory")):
            problems.append(f"{cw}: no cpu/memory requests")
        if not res.get("limits", {}).get("memory"):
            problems.append(f"{cw}: no memory limit")
        image = c.get("image", "")
        if not image or image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]:
            problems.append(f"{cw}: image {image!r} has no explicit tag")
        if app:
            if c.get("command") or c.get("args"):
                problems.append(f"{cw}: overrides the image's CMD (node must stay PID 1)")
            probes = {
                "startupProbe": "/health/live",
                "livenessProbe": "/health/live",
                "readinessProbe": "/health/ready",
            }
            for probe, path in probes.items():
                got = ((c.get(probe) or {}).get("httpGet") or {}).get("path")
                if got != path:
                    problems.append(f"{cw}: {probe} path is {got!r}, expected {path}")
            ports = {p.get("name") for p in c.get("ports", [])}
            if not {"http", "metrics"} <= ports:
                problems.append(f"{cw}: ports {sorted(ports)} lack http/metrics")


def check(path):
    problems = []
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
        name = f"{d['kind']}/{d['metadata']['name']}"
        if (d["apiVersion"], d["kind"]) not in ALLOWED_API:
            problems.append(f"{name}: apiVersion {d['apiVersion']} is not an allowed current API for {d['kind']}")
        labels = d["metadata"].get("labels") or {}
        missing = [k for k in REQUIRED_LABELS if k not in labels]
        if missing:
            problems.append(f"{name}: missing labels {missing}")

    deployments = by_kind.get("Deployment", [])
    for d in deployments:
        name = f"Deployment/{d['metadata']['name']}"
        spec = d["spec"]
        match = spec["selector"].get("matchLabels", {})
        if set(match) != SELECTOR_KEYS:
            problems.append(f"{name}: selector keys {sorted(match)} are not exactly {sorted(SELECTOR_KEYS)}")
        if (spec.get("strategy") or {}).get("rollingUpdate", {}).get("maxUnavailable") != 0:
            problems.append(f"{name}: rollingUpdate.maxUnavailable is not 0")
        check_pod(name, spec["template"]["spec"], problems, app=True)
        pod_labels = spec["template"]["metadata"]["labels"]
        if not any(service_selects(s, pod_labels) for s in by_kind.get("Service", [])):
            problems.append(f"{name}: no Service selects its pods")
        if by_kind.get("NetworkPolicy"):
            policies = [n for n in by_kind["NetworkPolicy"] if selects(n["spec"]["podSelector"], pod_labels)]
            if not any({"Ingress", "Egress"} <= set(n["spec"].get("policyTypes", [])) for n in policies):
                problems.append(f"{name}: no NetworkPolicy denies both ingress and egress by default")
        if by_kind.get("PodDisruptionBudget"):
            if not any(selects(p["spec"]["selector"], pod_labels) for p in by_kind["PodDisruptionBudget"]):
                problems.append(f"{name}: no PodDisruptionBudget")

    for j in by_kind.get("Job", []):
        name = f"Job/{j['metadata']['name']}"
        hooks = set((j["metadata"].get("annotations") or {}).get("helm.sh/hook", "").split(","))
        if hooks != {"pre-install", "pre-upgrade"}:
            problems.append(f"{name}: helm.sh/hook is {sorted(hooks)}, expected pre-install,pre-upgrade")
        pod_labels = j["spec"]["template"]["metadata"]["labels"]
        if any(service_selects(s, pod_labels) for s in by_kind.get("Service", [])):
            problems.append(f"{name}: a Service selects the migration pod")
        check_pod(name, j["spec"]["template"]["spec"], problems, app=False)

    for ing in by_kind.get("Ingress", []):
        for rule in ing["spec"].get("rules", []):
            for p in rule.get("http", {}).get("paths", []):
                port = p["backend"]["service"]["port"]
                if port.get("name") == "metrics" or port.get("number") == 9464:
                    problems.append(f"Ingress/{ing['metadata']['name']}: routes the metrics port")

    return problems, len(docs)


def environments(path):
    """Each Deployment's environment as the container would see it: envFrom in order, then env (plain values)."""
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    data = {}
    for d in docs:
        if d["kind"] == "ConfigMap":
            data[("configMap", d["metadata"]["name"])] = d.get("data") or {}
        elif d["kind"] == "Secret":
            data[("secret", d["metadata"]["name"])] = {
                k: base64.b64decode(v).decode() for k, v in (d.get("data") or {}).items()
            }
    result = {}
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        container = d["spec"]["template"]["spec"]["containers"][0]
        env = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                env.update(data.get(("configMap", source["configMapRef"]["name"]), {}))
            if "secretRef" in source:
                env.update(data.get(("secret", source["secretRef"]["name"]), {}))
        for e in container.get("env", []):
            if "value" in e:
                env[e["name"]] = e["value"]
        result[d["metadata"]["labels"]["app.kubernetes.io/name"]] = env
    return result


def main():
    args = sys.argv[1:]
    if args[:1] == ["--env-json"]:
        out, path = args[1], args[2]
        with open(out, "w") as f:
            json.dump(environments(path), f, indent=2)
        args = args[2:]
    failed = False
    for path in args:
        problems, count = check(path)
        if problems:
            failed = True
            print(f"{path}: {len(problems)} problem(s)")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"{path}: {count} objects ok")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
