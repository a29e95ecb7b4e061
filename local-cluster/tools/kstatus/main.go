// kstatus prints what sigs.k8s.io/cli-utils' kstatus library — the status computation Flux's
// health checks and `kubectl wait`-like GitOps tools use — makes of live Kubernetes objects, so
// the e2e specs can check that nats-warden's conditions give GitOps tools the right answer without
// a custom health check.
//
// tools.ts copies this file into a throwaway wrapper module that requires sigs.k8s.io/cli-utils at
// the version pinned in versions.json and builds it.
//
//	kubectl get KIND NAME -o json | kstatus   one object, or a List (kubectl get KIND -o json)
//
// Output: one JSON array, an entry per object: kind, namespace, name, and kstatus' Result (status,
// message, conditions). Exit 1 when the input is not an object or kstatus cannot compute a status.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type entry struct {
	Kind       string             `json:"kind"`
	Namespace  string             `json:"namespace,omitempty"`
	Name       string             `json:"name"`
	Status     status.Status      `json:"status"`
	Message    string             `json:"message"`
	Conditions []status.Condition `json:"conditions"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kstatus:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	// The unstructured JSON scheme keeps integers as int64, as kstatus' field accessors expect
	// (encoding/json alone would make metadata.generation a float64).
	decoded, _, err := unstructured.UnstructuredJSONScheme.Decode(data, nil, nil)
	if err != nil {
		return fmt.Errorf("reading a Kubernetes object: %w", err)
	}
	var objects []unstructured.Unstructured
	switch o := decoded.(type) {
	case *unstructured.UnstructuredList:
		objects = o.Items
	case *unstructured.Unstructured:
		objects = []unstructured.Unstructured{*o}
	default:
		return fmt.Errorf("not an object or a list: %T", decoded)
	}
	entries := make([]entry, 0, len(objects))
	for i := range objects {
		o := &objects[i]
		res, err := status.Compute(o)
		if err != nil {
			return fmt.Errorf("%s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		conditions := res.Conditions
		if conditions == nil {
			conditions = []status.Condition{}
		}
		entries = append(entries, entry{
			Kind:       o.GetKind(),
			Namespace:  o.GetNamespace(),
			Name:       o.GetName(),
			Status:     res.Status,
			Message:    res.Message,
			Conditions: conditions,
		})
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(entries)
}
