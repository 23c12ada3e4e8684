#!/usr/bin/env bash
# Reference solution of exercise 3 (TP7): what a student types, answers included.
# TP7 may be a multi-word command (e.g. "node /path/bin/tp7.js"): it is used unquoted on purpose.
set -euo pipefail

TP7=${TP7:-tp7}
WORKDIR=${TP7_WORKDIR:-$PWD}
cd "$WORKDIR"

answer() {
  # shellcheck disable=SC2086
  $TP7 answer --workdir "$WORKDIR" ex3 "$@"
}

# 3.1 — save an image, export a container, and compare what each archive holds
docker pull nginx:alpine
docker save nginx:alpine -o nginx-save.tar
tar tvf nginx-save.tar

docker rm -f tp7-ex3-web >/dev/null 2>&1 || true
docker run -d --name tp7-ex3-web nginx:alpine
docker export tp7-ex3-web -o container-export.tar
tar tvf container-export.tar | sed -n '1,20p' # sed reads it all: head would end the pipe early

answer save-keeps a,b,c
answer when-export b

# 3.2 — the same save, uncompressed and with three compressors
docker save nginx:alpine > nginx-alpine.tar
docker save nginx:alpine | gzip > nginx-alpine.tar.gz
docker save nginx:alpine | bzip2 > nginx-alpine.tar.bz2
docker save nginx:alpine | xz -9 > nginx-alpine.tar.xz
ls -l nginx-alpine.tar*

# ls -S sorts by size, largest first: the last name is the smallest file.
case $(ls -S nginx-alpine.tar.gz nginx-alpine.tar.bz2 nginx-alpine.tar.xz | tail -n 1) in
  *.gz) answer smallest-compression gzip ;;
  *.bz2) answer smallest-compression bzip2 ;;
  *.xz) answer smallest-compression xz ;;
esac
answer compression-choice a

# 3.3 — two custom images, then the course's backup script
docker tag nginx:alpine localhost/mon-site:1.0
docker exec tp7-ex3-web sh -c 'echo "Version 2" > /usr/share/nginx/html/index.html'
docker commit tp7-ex3-web localhost/mon-site:2.0

cat > backup-images.sh <<'EOF'
#!/bin/bash
# backup-images.sh - save every custom image (named localhost/...), gzip-compressed, into a dated folder.

BACKUP_DIR="./docker-backups"
DATE=$(date +%Y%m%d-%H%M%S)

mkdir -p "$BACKUP_DIR"

# Custom images only (not the official ones)
images=$(docker images --filter "reference=localhost/*" --format "{{.Repository}}:{{.Tag}}")

if [ -z "$images" ]; then
    echo "Aucune image personnalisée trouvée"
    exit 0
fi

echo "=== Backup des images Docker ==="
echo "Date: $DATE"
echo "Destination: $BACKUP_DIR"
echo ""

total_size=0

for img in $images; do
    filename=$(echo "$img" | tr '/:' '_')
    output="$BACKUP_DIR/${filename}_${DATE}.tar.gz"

    echo "Backup de $img..."
    docker save "$img" | gzip > "$output"

    size=$(stat -f%z "$output" 2>/dev/null || stat -c%s "$output")
    size_mb=$((size / 1024 / 1024))
    total_size=$((total_size + size_mb))

    echo "  ✓ Sauvegardé: $output ($size_mb MB)"
done

echo ""
echo "=== Résumé ==="
echo "Images sauvegardées: $(echo "$images" | wc -l)"
echo "Taille totale: $total_size MB"
echo "Emplacement: $BACKUP_DIR"

echo "$images" > "$BACKUP_DIR/images_${DATE}.txt"
EOF
chmod +x backup-images.sh
bash backup-images.sh
ls -l docker-backups

# The container was only needed for the export and the commit.
docker rm -f tp7-ex3-web
