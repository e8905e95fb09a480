/**
 * The flows every lab shares (labTest.ts), for every lab page of src/widgets/registry.ts. A new
 * lab gets them by being in the registry; a line here only says how it differs (no timeline,
 * another readiness, a state to check with axe). What each lab does of its own is in its spec.
 */
import { expect, test, type Page } from '@playwright/test';
import { labTest, type LabTestOptions } from './labTest';
import { stageTextCheck } from './stageText';
import type { E2ELab } from './labs';

/** StackBlitz's hosts (the WebContainer runtime): cut, so the sync/async lab falls back at once. */
const STACKBLITZ = /^https?:\/\/([^/]*\.)?(stackblitz\.(com|io)|webcontainer(-api)?\.io)\//;
async function cutStackBlitz(page: Page) {
  await page.route(STACKBLITZ, (route) => route.abort('internetdisconnected'));
}

const OPTIONS: Record<string, LabTestOptions> = {
  // graph text on the presenter stage: 16 px main labels, 13 px the rest (stageText.ts)
  scheduler: { presentCheck: stageTextCheck('gantt', '.lane-label, .row-label, .bar-label', '.axis text, .section') },
  dataflow: {
    presentCheck: stageTextCheck(
      'df-graph',
      '.node .label, .node .par',
      '.node .kind, .node .split, .edge .rate, .edge .count, .task .caption, .tag text',
    ),
  },
  // a level's own page starts with no step chosen (the learner picks them): ready is the lanes
  // (the lab page's instance opens on a 16-step schedule, so the step flows run there)
  interleavings: {
    ready: async (lab) => {
      await expect(lab.getByTestId('il-lanes')).toBeVisible({ timeout: 20_000 });
      await expect(lab).not.toHaveAttribute('aria-busy', 'true');
    },
    // the stage after Explore (results, histogram, counterexample) fits 1280×720 too
    presentAfter: async function afterExplore(_page, lab) {
      await lab.getByTestId('il-explore').click();
      await expect(lab.getByTestId('il-explore-result')).toBeVisible({ timeout: 30_000 });
    },
  },
  // a measurement: no steps; axe checks it with results on screen (a short run in the Worker)
  'sync-async': {
    timeline: false,
    setup: cutStackBlitz,
    ready: (lab) => expect(lab.getByTestId('sa-run')).toBeEnabled({ timeout: 15_000 }),
    beforeAxe: async (_page, lab) => {
      await lab.getByTestId('sa-runtime-worker').check();
      const requests = lab.getByTestId('sa-param-requests');
      await requests.fill('20');
      await requests.press('Tab');
      await lab.getByTestId('sa-run').click();
      await expect(lab.getByTestId('sa-run')).toHaveAttribute('data-runs', '1', { timeout: 45_000 });
      await expect(lab.getByTestId('sa-table')).toBeVisible();
    },
  },
};

for (const lab of JSON.parse(process.env.E2E_LABS ?? '[]') as E2ELab[]) labTest(lab.href, OPTIONS[lab.id]);

test('the registry was read, and every lab with options here is in it', () => {
  const labs = JSON.parse(process.env.E2E_LABS ?? '[]') as E2ELab[];
  expect(labs.length).toBeGreaterThan(0);
  for (const id of Object.keys(OPTIONS)) expect(labs.map((l) => l.id), `options for ${id}, which is not in the registry`).toContain(id);
});
