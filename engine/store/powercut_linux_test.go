package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mudd/mudd/engine/state"
)

// The ext4 shutdown ioctl (linux/fs/ext4/ext4.h): with NOLOGFLUSH the filesystem stops at
// once, neither writing back dirty pages nor committing its journal, which leaves the disk
// as a power cut would.
const (
	ext4IocShutdown          = 0x8004587d // _IOR('X', 125, __u32)
	ext4GoingFlagsNoLogFlush = 2
)

// ext4Disk is an ext4 filesystem in an image file, on a loop device, mounted at dir.
type ext4Disk struct {
	dev, dir string
	mounted  bool
}

// newExt4Disk makes and mounts a small ext4 filesystem for t, removed when t ends. It skips
// t where that cannot be done: not root, no mkfs.ext4 or losetup, no free loop device.
func newExt4Disk(t *testing.T) *ext4Disk {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("power-cut test skipped: attaching a loop device and mounting ext4 needs root")
	}
	for _, tool := range []string{"mkfs.ext4", "losetup"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("power-cut test skipped: %s not found: %v", tool, err)
		}
	}
	tmp := t.TempDir()
	img := filepath.Join(tmp, "disk.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 64<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, out)
	}
	out, err := exec.Command("losetup", "--find", "--show", img).CombinedOutput()
	if err != nil {
		t.Skipf("power-cut test skipped: no loop device (losetup: %v: %s)", err, out)
	}
	d := &ext4Disk{dev: strings.TrimSpace(string(out)), dir: filepath.Join(tmp, "mnt")}
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "-d", d.dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v: %s", d.dev, err, out)
		}
	})
	if err := os.Mkdir(d.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(d.dev, d.dir, "ext4", 0, ""); err != nil {
		t.Skipf("power-cut test skipped: cannot mount ext4 from %s: %v", d.dev, err)
	}
	d.mounted = true
	t.Cleanup(func() { d.unmount(t) })
	return d
}

// cut stops the filesystem as a power cut would: what is not on the disk is lost.
func (d *ext4Disk) cut(t *testing.T) {
	t.Helper()
	f, err := os.Open(d.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.IoctlSetPointerInt(int(f.Fd()), ext4IocShutdown, ext4GoingFlagsNoLogFlush); err != nil {
		t.Fatalf("ext4 shutdown: %v", err)
	}
}

func (d *ext4Disk) unmount(t *testing.T) {
	t.Helper()
	if !d.mounted {
		return
	}
	if err := unix.Unmount(d.dir, 0); err != nil {
		t.Fatalf("unmount %s: %v", d.dir, err)
	}
	d.mounted = false
}

// remount mounts the filesystem again after a cut, as after a reboot: the journal is
// replayed.
func (d *ext4Disk) remount(t *testing.T) {
	t.Helper()
	d.unmount(t)
	if err := unix.Mount(d.dev, d.dir, "ext4", 0, ""); err != nil {
		t.Fatalf("mount %s again: %v", d.dev, err)
	}
	d.mounted = true
}

// powerCutRegulars are the characters every batch of TestPowerCut saves again.
const powerCutRegulars = 5

// powerCutBatch is the i-th batch of TestPowerCut: every regular at Version i, and one new
// character.
func powerCutBatch(i int) []state.Character {
	batch := make([]state.Character, 0, powerCutRegulars+1)
	for r := range powerCutRegulars {
		batch = append(batch, character(fmt.Sprintf("Regular%c", 'a'+r), uint64(i)))
	}
	return append(batch, character(fmt.Sprintf("Newcomer%c%c", 'a'+i/26%26, 'a'+i%26), 1))
}

// TestPowerCut saves batches through a Writer to a SQLite database on an ext4 filesystem
// and cuts the power while saves go on: after the filesystem is mounted again the database
// passes its integrity check and holds every batch the Writer reported done.
func TestPowerCut(t *testing.T) {
	disk := newExt4Disk(t)
	dsn := filepath.Join(disk.dir, "mudd.db")
	// Their logs are not kept: after the cut every write fails, as it should.
	s, err := Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(s, nil)
	w.minBackoff, w.maxBackoff = 10*time.Millisecond, 50*time.Millisecond
	ctx, stop := context.WithCancel(t.Context())
	ran := make(chan struct{})
	go func() { w.Run(ctx); close(ran) }()

	// One goroutine saves batch after batch, each reported done when Flush returns; the
	// power goes once enough are done, usually with a batch being written.
	const doneBeforeCut = 40
	var (
		mu   sync.Mutex
		done = make(map[string]uint64) // name → the highest Version reported done
		n    int                       // batches reported done
	)
	enough := make(chan struct{})
	saving := make(chan struct{})
	go func() {
		defer close(saving)
		for i := 1; i <= 10*doneBeforeCut && ctx.Err() == nil; i++ {
			batch := powerCutBatch(i)
			w.Save(batch...)
			if err := w.Flush(ctx); err != nil {
				return
			}
			mu.Lock()
			for _, c := range batch {
				done[c.Name] = max(done[c.Name], c.Version)
			}
			if n++; n == doneBeforeCut {
				close(enough)
			}
			mu.Unlock()
		}
	}()
	select {
	case <-enough:
	case <-saving:
		t.Fatal("the saving goroutine ended before the cut")
	}
	disk.cut(t)
	stop()
	<-saving
	<-ran
	if err := s.Close(); err != nil {
		t.Logf("closing the store after the cut: %v", err)
	}
	disk.remount(t)

	s = openAt(t, dsn)
	var check string
	if err := s.db.Raw("PRAGMA integrity_check").Scan(&check).Error; err != nil || check != "ok" {
		t.Fatalf("PRAGMA integrity_check after the cut = %q, %v; want ok", check, err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d batches reported done before the cut", n)
	missing := 0
	for name, v := range done {
		c, err := s.Character(t.Context(), name)
		switch {
		case errors.Is(err, ErrNotFound):
			missing++
		case err != nil:
			t.Fatal(err)
		case c.Version < v:
			t.Errorf("%s: Version %d after the cut, but %d was reported saved", name, c.Version, v)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d characters reported saved are gone after the cut", missing, len(done))
	}
}
