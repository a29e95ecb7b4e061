// A cert-manager controller binary for the local control plane, written for nats-warden.
//
// cert-manager's own main (cmd/controller) is a separate Go module that refers to the main module
// by a relative replace and is never tagged, so the Go module proxy cannot serve it. Its
// controllers, issuers and controller context all live in the main module's exported packages
// (github.com/cert-manager/cert-manager/pkg/...), which the proxy does serve; this file only wires
// them together: flags, the controller context factory, the enabled controllers, the informers and
// optional leader election, a /livez endpoint. docs/tools.md explains the choice and what differs from upstream.
//
// tools.ts copies this file into a throwaway wrapper module that requires
// github.com/cert-manager/cert-manager at the version pinned in versions.json and builds it.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/cert-manager/cert-manager/pkg/controller"
	"github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	"github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	ingresses "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	cracme "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/acme"
	crapprover "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	crca "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	crselfsigned "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	crvault "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/vault"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	certmetrics "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	"github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	"github.com/cert-manager/cert-manager/pkg/controller/issuers"
	dnsutil "github.com/cert-manager/cert-manager/pkg/issuer/acme/dns/util"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"

	// Issuer implementations register themselves with the issuer factory.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/vault"
)

// The controllers upstream enables by default (all but gateway-shim and the experimental
// CertificateSigningRequest controllers), less the Venafi issuer: its client library
// (github.com/Venafi/vcert/v5) is not served by the module proxy CI uses. Importing a controller's
// package registers it.
var defaultControllers = []string{
	issuers.ControllerName, clusterissuers.ControllerName, certmetrics.ControllerName, ingresses.ControllerName,
	acmeorders.ControllerName, acmechallenges.ControllerName,
	cracme.CRControllerName, crapprover.ControllerName, crca.CRControllerName, crselfsigned.CRControllerName,
	crvault.CRControllerName,
	trigger.ControllerName, issuing.ControllerName, keymanager.ControllerName, requestmanager.ControllerName,
	readiness.ControllerName, revisionmanager.ControllerName,
}

type options struct {
	kubeconfig, master, namespace, clusterResourceNamespace string
	controllers                                             []string
	leaderElect                                             bool
	leaderElectionNamespace                                 string
	workers, maxConcurrentChallenges, burst                 int
	qps                                                     float32
	enableOwnerRef                                          bool
	metricsAddress, healthzAddress, solverImage             string
	dns01Nameservers                                        []string
	dns01NameserversOnly, version                           bool
	logging                                                 *logsapi.LoggingConfiguration
}

func main() {
	o := options{logging: logsapi.NewLoggingConfiguration()}
	fs := pflag.NewFlagSet("cert-manager-controller", pflag.ExitOnError)
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (in-cluster config when empty)")
	fs.StringVar(&o.master, "master", "", "API server address, overriding the kubeconfig's")
	fs.StringVar(&o.namespace, "namespace", "", "watch only this namespace (all when empty)")
	fs.StringVar(&o.clusterResourceNamespace, "cluster-resource-namespace", "kube-system", "namespace of ClusterIssuer secrets")
	fs.StringSliceVar(&o.controllers, "controllers", []string{"*"}, "controllers to run: '*' for the defaults, 'name' to add, '-name' to remove")
	fs.BoolVar(&o.leaderElect, "leader-elect", false, "use leader election (upstream's default is true)")
	fs.StringVar(&o.leaderElectionNamespace, "leader-election-namespace", "kube-system", "namespace of the leader election Lease")
	fs.IntVar(&o.workers, "concurrent-workers", 5, "workers per controller")
	fs.IntVar(&o.maxConcurrentChallenges, "max-concurrent-challenges", 60, "ACME challenges processed at once")
	fs.Float32Var(&o.qps, "kube-api-qps", 20, "client QPS when the API server has no priority and fairness")
	fs.IntVar(&o.burst, "kube-api-burst", 50, "client burst when the API server has no priority and fairness")
	fs.BoolVar(&o.enableOwnerRef, "enable-certificate-owner-ref", false, "make Certificates owners of their Secrets")
	fs.StringVar(&o.metricsAddress, "metrics-listen-address", "", "Prometheus metrics address (off when empty; upstream serves 0.0.0.0:9402)")
	fs.StringVar(&o.healthzAddress, "healthz-listen-address", "", "address serving /livez once the controllers run (off when empty; upstream serves :9403)")
	fs.StringVar(&o.solverImage, "acme-http01-solver-image", "quay.io/jetstack/cert-manager-acmesolver:"+util.AppVersion, "ACME HTTP-01 solver image")
	fs.StringSliceVar(&o.dns01Nameservers, "dns01-recursive-nameservers", nil, "host:port nameservers for DNS-01 checks")
	fs.BoolVar(&o.dns01NameserversOnly, "dns01-recursive-nameservers-only", false, "only use the recursive nameservers for DNS-01 checks")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	utilfeature.DefaultMutableFeatureGate.AddFlag(fs)
	logf.AddFlags(o.logging, fs)
	_ = fs.Parse(os.Args[1:])

	if o.version {
		fmt.Printf("cert-manager-controller %s (nats-warden build of cert-manager's controllers)\n", util.AppVersion)
		return
	}
	logf.InitLogs()
	defer logf.FlushLogs()
	if err := logf.ValidateAndApply(o.logging); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "controller")
	if err := run(ctx, o); err != nil {
		logf.FromContext(ctx).Error(err, "cert-manager controller failed")
		logf.FlushLogs()
		os.Exit(1)
	}
}

// enabled resolves --controllers the way upstream does: '*' is the default set, '-name' removes.
func enabled(list []string) sets.Set[string] {
	out := sets.New[string]()
	for _, item := range list {
		switch {
		case item == "*":
			out.Insert(defaultControllers...)
		case strings.HasPrefix(item, "-"):
			out.Delete(strings.TrimPrefix(item, "-"))
		default:
			out.Insert(item)
		}
	}
	return out
}

func run(ctx context.Context, o options) error {
	log := logf.FromContext(ctx)
	nameservers := o.dns01Nameservers
	if len(nameservers) == 0 {
		nameservers = dnsutil.RecursiveNameservers
	}
	factory, err := controller.NewContextFactory(ctx, controller.ContextOptions{
		APIServerHost:    o.master,
		Kubeconfig:       o.kubeconfig,
		KubernetesAPIQPS: o.qps, KubernetesAPIBurst: o.burst,
		Namespace: o.namespace,
		IssuerOptions: controller.IssuerOptions{
			ClusterResourceNamespace:        o.clusterResourceNamespace,
			ClusterIssuerAmbientCredentials: true,
		},
		ACMEOptions: controller.ACMEOptions{
			HTTP01SolverImage:                 o.solverImage,
			HTTP01SolverResourceRequestCPU:    resource.MustParse("10m"),
			HTTP01SolverResourceRequestMemory: resource.MustParse("64Mi"),
			HTTP01SolverResourceLimitsCPU:     resource.MustParse("100m"),
			HTTP01SolverResourceLimitsMemory:  resource.MustParse("64Mi"),
			ACMEHTTP01SolverRunAsNonRoot:      true,
			DNS01CheckAuthoritative:           !o.dns01NameserversOnly,
			DNS01Nameservers:                  nameservers,
			DNS01CheckRetryPeriod:             10 * time.Second,
		},
		IngressShimOptions: controller.IngressShimOptions{
			DefaultIssuerKind:                 "Issuer",
			DefaultIssuerGroup:                "cert-manager.io",
			DefaultAutoCertificateAnnotations: []string{"kubernetes.io/tls-acme"},
			GatewayAPIExtraProtocols:          sets.New[string](),
		},
		CertificateOptions: controller.CertificateOptions{
			EnableOwnerRef:                           o.enableOwnerRef,
			CopiedAnnotationPrefixes:                 []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
		SchedulerOptions: controller.SchedulerOptions{MaxConcurrentChallenges: o.maxConcurrentChallenges},
	})
	if err != nil {
		return fmt.Errorf("building the controller context: %w", err)
	}
	cctx, err := factory.Build()
	if err != nil {
		return err
	}

	if !o.leaderElect {
		return runControllers(ctx, o, factory, cctx)
	}
	id, err := os.Hostname()
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cctx.RESTConfig)
	if err != nil {
		return err
	}
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, o.leaderElectionNamespace, "cert-manager-controller",
		client.CoreV1(), client.CoordinationV1(), resourcelock.ResourceLockConfig{Identity: id + "-external-cert-manager-controller"})
	if err != nil {
		return err
	}
	errs := make(chan error, 1)
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock: lock, LeaseDuration: 60 * time.Second, RenewDeadline: 40 * time.Second, RetryPeriod: 15 * time.Second,
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) { errs <- runControllers(ctx, o, factory, cctx) },
			OnStoppedLeading: func() { log.Info("no longer the leader") },
		},
	})
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

func runControllers(ctx context.Context, o options, factory *controller.ContextFactory, cctx *controller.Context) error {
	log := logf.FromContext(ctx)
	g, ctx := errgroup.WithContext(ctx)
	serve := func(what, address string, server func(net.Listener) *http.Server) error {
		if address == "" {
			return nil
		}
		ln, err := net.Listen("tcp", address)
		if err != nil {
			return fmt.Errorf("%s listener: %w", what, err)
		}
		srv := server(ln)
		g.Go(func() error {
			<-ctx.Done()
			return srv.Close()
		})
		g.Go(func() error {
			if err := srv.Serve(ln); err != nil && ctx.Err() == nil {
				return err
			}
			return nil
		})
		return nil
	}
	if err := serve("metrics", o.metricsAddress, cctx.Metrics.NewServer); err != nil {
		return err
	}

	want := enabled(o.controllers)
	for name := range want {
		if _, ok := controller.Known()[name]; !ok {
			return fmt.Errorf("unknown controller %q", name)
		}
	}
	names := make([]string, 0, len(controller.Known()))
	for name := range controller.Known() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !want.Has(name) || (o.namespace != "" && name == clusterissuers.ControllerName) {
			continue
		}
		iface, err := controller.Known()[name](factory)
		if err != nil {
			return fmt.Errorf("controller %s: %w", name, err)
		}
		log.V(logf.InfoLevel).Info("starting controller", "controller", name)
		g.Go(func() error { return iface.Run(o.workers, ctx) })
	}

	healthz := func(net.Listener) *http.Server {
		mux := http.NewServeMux()
		ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }
		mux.HandleFunc("/livez", ok)
		mux.HandleFunc("/healthz", ok)
		return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	}
	if err := serve("healthz", o.healthzAddress, healthz); err != nil {
		return err
	}

	cctx.SharedInformerFactory.Start(ctx.Done())
	cctx.KubeSharedInformerFactory.Start(ctx.Done())
	cctx.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	err := g.Wait()
	cctx.HTTP01ResourceMetadataInformersFactory.Shutdown()
	cctx.KubeSharedInformerFactory.Shutdown()
	cctx.SharedInformerFactory.Shutdown()
	return err
}
