#!/bin/bash
# Embeds every video under $VIDEOS into the Parquet dataset $OUT with a Slurm job array of 100 tasks, one shard each
# (docs/scale-out.md). Task i reads SLURM_ARRAY_TASK_ID = i and writes $OUT/part-0000i-of-00100.parquet.
#   sbatch deploy/slurm/embed-array.sh
# Rerun failed or unfinished tasks only (they resume from their last batch): sbatch --array=3,17 deploy/slurm/embed-array.sh
#SBATCH --job-name=clip-embed
#SBATCH --array=0-99
#SBATCH --cpus-per-task=16
#SBATCH --mem=8G
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --output=logs/clip-embed-%A_%a.log
set -euo pipefail

VIDEOS=${VIDEOS:-/shared/videos}
OUT=${OUT:-/shared/embeddings}
MODEL=${MODEL:-/shared/models/xclip-base-patch32}
SHARDS=100   # = the size of --array above; given explicitly so that a rerun of a few tasks keeps the same split

export HF_HUB_OFFLINE=1
clip embed "$VIDEOS" --out "$OUT/" --format parquet --shard-from-env --shard-count "$SHARDS" \
    --model "$MODEL" --skip-errors
