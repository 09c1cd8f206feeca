// Command etcd is a thin wrapper that builds the upstream etcd server from the
// Go module proxy for cdk8s-ai's test environment. It mirrors
// go.etcd.io/etcd/server/v3/main.go.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
