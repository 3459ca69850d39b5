/**
 * The suites in run order. Baselines first (the physical limits of this run), then minidfs, then
 * the peer (which reads minidfs's figures from the same run to compute ratios).
 */
import type { Suite } from '../lib/suite';
import { baselines } from './baselines';
import { client } from './client';
import { repair } from './repair';
import { detection } from './detection';
import { haFailover } from './ha-failover';
import { heartbeatScale } from './heartbeat-scale';
import { peerMoosefs } from './peer-moosefs';

export const SUITES: Suite[] = [baselines, client, repair, detection, heartbeatScale, haFailover, peerMoosefs];
