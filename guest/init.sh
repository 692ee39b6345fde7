#!/bin/busybox sh
# /init of the initramfs `prlab record-guest` builds: busybox mounts the pseudo file systems,
# loads the virtio transport and virtio-serial modules (virtio_balloon is loaded later by
# prlab-guest itself, so the registration time is known), runs the workload and powers off.
# Configuration comes from /prlab: script (the phase script), args (prlab-guest options, one a
# line), modules (module files in load order), thp (transparent_hugepage/enabled, optional).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || mount -t debugfs debugfs /sys/kernel/debug
echo "prlab-init: $(uname -r) up at $(cut -d' ' -f1 /proc/uptime) s"

for m in $(cat /prlab/modules); do
  insmod "/prlab/modules.d/$m" || echo "prlab-init: insmod $m failed"
done
if [ -s /prlab/thp ]; then
  cat /prlab/thp > /sys/kernel/mm/transparent_hugepage/enabled || echo "prlab-init: cannot set THP"
fi

set --
while IFS= read -r arg; do set -- "$@" "$arg"; done < /prlab/args
/prlab/prlab-guest --script "$(cat /prlab/script)" "$@"
echo "prlab-init: prlab-guest exited with $?"
sync
poweroff -f
