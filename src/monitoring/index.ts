// Monitoring: downtimes and silences around a node's absence, and announcements of each job.
export { AlertmanagerClient, type Silence } from './alertmanager.js';
export {
  DowntimeService,
  downtimeWindow,
  keptNotice,
  type DowntimeRecord,
  type DowntimeRequest,
  type RemoveResult,
  type ScheduleResult,
} from './downtime.js';
export { checkMonitoring, describeMonitoring, type EndpointCheck } from './check.js';
export { MonitoringError } from './errors.js';
export { IcingaClient, ICINGA_PERMISSIONS } from './icinga.js';
export { downtimeComment, jobMark, nodeMatchers, type Matcher } from './template.js';
export { Announcer, sign, SIGNATURE_HEADER, DELIVERY_HEADER, type Announcement, type Delivery } from './webhook.js';

export { monitoringFromConfig, type Monitoring } from './build.js';
