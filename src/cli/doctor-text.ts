/**
 * `audiofan doctor` as text: facts first (which ffmpeg, how it was found, what it can do), problems only
 * when something a run needs is missing. A fallback that worked as designed is stated, not flagged.
 */
import type { DoctorReport } from '../ffmpeg/doctor.js';

const HOW: Record<string, string> = {
  option: 'the --ffmpeg option',
  env: 'FFMPEG_PATH',
  'ffmpeg-static': 'the ffmpeg-static package',
  path: 'ffmpeg on PATH',
  'ffmpeg-installer': 'the @ffmpeg-installer/ffmpeg package (shipped in its npm tarball)',
};

/** The report for a person. */
export function doctorText(report: DoctorReport): string {
  const f = report.ffmpeg;
  const lines = f
    ? [
        `ffmpeg:    ${f.path}`,
        `found via: ${f.source} (${HOW[f.source] ?? f.source})`,
        ...(f.passedOver.length ? [`checked before it (in order): ${f.passedOver.join('; ')}`] : []),
        `version:   ${f.version}`,
        `libsoxr:   ${f.soxr ? 'yes' : 'no'}`,
        '',
        ...report.requirements.map(
          (r) =>
            `  ${r.present ? 'ok     ' : 'MISSING'}  ${r.kind.padEnd(7)} ${r.name.padEnd(12)} ${r.neededBy.join(', ')}`,
        ),
        '',
      ]
    : [];
  lines.push(
    report.problems.length
      ? `Problems:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`
      : 'Everything needed is present.',
  );
  return `${lines.join('\n')}\n`;
}
