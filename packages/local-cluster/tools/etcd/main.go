// etcd for the local control plane: etcd's root module is not served by the Go module proxy here, its server module is.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
