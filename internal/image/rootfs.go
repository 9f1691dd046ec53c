package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"time"
)

// epoch is the modification time of every file in the layer, so that the
// same binary and certificates give the same layer digest.
var epoch = time.Unix(0, 0).UTC()

// entry is one file or directory of the layer.
type entry struct {
	name     string
	mode     int64
	uid, gid int
	dir      bool
	body     []byte
}

// rootfs returns the layer's tar: the binary, the user and group files of
// root and the non-root user, the CA certificates, /data owned by the user
// (0700, as linkpool keeps its data directory) and /tmp.
func rootfs(binary, caCerts []byte) ([]byte, error) {
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:/home/%s:/sbin/nologin\n", UserName, UserID, UserID, UserName, UserName)
	group := fmt.Sprintf("root:x:0:\n%s:x:%d:\n", UserName, UserID)
	entries := []entry{
		{name: "data/", mode: 0o700, uid: UserID, gid: UserID, dir: true},
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, body: []byte(group)},
		{name: "etc/passwd", mode: 0o644, body: []byte(passwd)},
		{name: "etc/ssl/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, body: caCerts},
		{name: "home/", mode: 0o755, dir: true},
		{name: "home/" + UserName + "/", mode: 0o700, uid: UserID, gid: UserID, dir: true},
		{name: "linkpool", mode: 0o755, body: binary},
		{name: "tmp/", mode: 0o1777, dir: true},
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: epoch}
		if e.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("layer %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, fmt.Errorf("layer %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
