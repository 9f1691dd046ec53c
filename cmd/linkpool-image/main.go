// Command linkpool-image builds linkpool's container image without a
// Docker daemon and writes it as an OCI archive (`make image`).
package main

import (
	"context"
	"os"

	"github.com/linkpool/linkpool/internal/image"
)

func main() {
	os.Exit(image.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
