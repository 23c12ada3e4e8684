// Can the engine run a container on its default network and publish a port? A dockerd started elsewhere with
// `--bridge none` deletes the host's docker0: the engine still answers, images still pull, and every
// `docker run` then fails with "could not find bridge docker0". Doctor tries it for real, with a throwaway
// container owned by this process (probe and owner labels: another tp7 never sweeps it, and a doctor stopped by
// Ctrl+C or SIGTERM removes it), always removed, and says how to repair the bridge.
import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { createOwnedContainer } from '../../engine/image-file.js';
import { both, type LocalizedText } from '../../lab/lang.js';

export interface NetworkFinding {
  status: 'pass' | 'fail' | 'skip';
  detail: LocalizedText;
}

/** The port the throwaway container publishes (on a free host port the engine picks). */
const PORT = '8080/tcp';
/** Images tried at most: an image without /bin/sh cannot run the waiting command, the next one may. */
const MAX_IMAGES = 12;
/** A shell that waits on its open stdin: runs in any image with /bin/sh, needs no other binary, burns nothing. */
const WAIT = ['/bin/sh', '-c', 'read line'];

export const BRIDGE_REPAIR = 'ip link add docker0 type bridge; ip addr add 172.17.0.1/16 dev docker0; ip link set docker0 up';

function repair(bridge: string): LocalizedText {
  const commands = bridge === 'docker0' ? BRIDGE_REPAIR : `ip link add ${bridge} type bridge; ip link set ${bridge} up`;
  return both(
    `réparation (root) : ${commands}, puis redémarrez dockerd`,
    `repair (as root): ${commands}, then restart dockerd`,
  );
}

function engineWords(error: unknown): string {
  const err = error as { json?: { message?: string } | null; message?: string };
  return (err.json?.message ?? err.message ?? String(error)).split('\n')[0]!.trim();
}

/** The host interface behind the default network, when the engine runs on this machine (a unix socket). */
async function missingBridge(docker: Docker, local: boolean): Promise<string | undefined> {
  if (!local || !existsSync('/sys/class/net')) return undefined;
  const network = (await docker.getNetwork('bridge').inspect().catch(() => undefined)) as { Options?: Record<string, string> } | undefined;
  const name = network?.Options?.['com.docker.network.bridge.name'];
  return name && !existsSync(`/sys/class/net/${name}`) ? name : undefined;
}

/** Smallest images first: the quickest to start. */
async function candidateImages(docker: Docker): Promise<string[]> {
  const images = await docker.listImages();
  return images
    .filter((image) => image.RepoTags?.some((tag) => tag !== '<none>:<none>'))
    .sort((a, b) => a.Size - b.Size)
    .slice(0, MAX_IMAGES)
    .map((image) => image.RepoTags!.find((tag) => tag !== '<none>:<none>')!);
}

type Attempt = { published: string } | { noShell: true } | { unpublished: true } | { failed: string };

/** Creates, starts and inspects one waiting container; removes it whatever happens. */
async function tryImage(docker: Docker, image: string): Promise<Attempt> {
  const { container, release } = await createOwnedContainer(docker, {
    Image: image,
    Entrypoint: WAIT,
    Cmd: [],
    OpenStdin: true,
    ExposedPorts: { [PORT]: {} },
    HostConfig: { NetworkMode: 'bridge', PortBindings: { [PORT]: [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  try {
    try {
      await container.start();
    } catch (error) {
      const words = engineWords(error);
      // The runtime got as far as running the command: the network was set up; this image has no shell.
      if (/\/bin\/sh/.test(words) && /no such file|not found/i.test(words)) return { noShell: true };
      return { failed: words };
    }
    const info = (await container.inspect()) as { NetworkSettings?: { Ports?: Record<string, Array<{ HostPort?: string }> | null> } };
    const port = info.NetworkSettings?.Ports?.[PORT]?.[0]?.HostPort;
    return port ? { published: port } : { unpublished: true };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    release();
  }
}

export async function networkFinding(docker: Docker, local: boolean): Promise<NetworkFinding> {
  const bridge = await missingBridge(docker, local);
  if (bridge) {
    const fix = repair(bridge);
    return {
      status: 'fail',
      detail: both(
        `l'interface ${bridge} du réseau par défaut n'existe plus : aucun conteneur ne peut démarrer ; ${fix.fr}`,
        `the default network's interface ${bridge} is gone: no container can start; ${fix.en}`,
      ),
    };
  }
  const images = await candidateImages(docker);
  if (!images.length) {
    return { status: 'skip', detail: both("aucune image locale pour essayer un conteneur (après le pull de l'exercice 1, ce test a lieu)", 'no local image to try a container with (this runs once exercise 1 pulled one)') };
  }
  let noShell = 0;
  for (const image of images) {
    const attempt = await tryImage(docker, image);
    if ('published' in attempt) {
      return { status: 'pass', detail: both(`un conteneur de ${image} démarre sur le réseau bridge et publie un port (127.0.0.1:${attempt.published})`, `a container of ${image} starts on the bridge network and publishes a port (127.0.0.1:${attempt.published})`) };
    }
    if ('noShell' in attempt) {
      noShell += 1;
      continue;
    }
    if ('unpublished' in attempt) {
      return { status: 'fail', detail: both(`un conteneur de ${image} démarre, mais son port ${PORT} n'est publié sur aucun port de l'hôte`, `a container of ${image} starts, but its port ${PORT} is published on no host port`) };
    }
    const hint = /bridge|docker0|network|iptables|endpoint/i.test(attempt.failed) ? repair('docker0') : both('consultez le journal de dockerd', "see dockerd's log");
    return {
      status: 'fail',
      detail: both(
        `un conteneur de ${image} ne démarre pas sur le réseau par défaut (« ${attempt.failed} ») ; ${hint.fr}`,
        `a container of ${image} cannot start on the default network ("${attempt.failed}"); ${hint.en}`,
      ),
    };
  }
  return {
    status: 'skip',
    detail: both(`aucune des ${noShell} plus petites images locales n'a de /bin/sh pour un essai`, `none of the ${noShell} smallest local images has /bin/sh to try with`),
  };
}
