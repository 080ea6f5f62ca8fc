// What a publish reports while it runs. The publish service emits these through an
// `onEvent` callback; the plain CLI prints them as lines, the TUI pane renders them, and
// every one is appended to the publish's full log file.

export type PublishState =
  | 'pending'
  | 'building'
  | 'pushing'
  | 'published'
  | 'failed'
  | 'cancelled';

export type PublishEvent =
  /**
   * On `pending`, `module` names what is published (its slug) and `subject` says what starts
   * where: `add-noise (noise.py) on stack 'default'`.
   */
  | {type: 'state'; state: PublishState; at: number; module?: string; subject?: string}
  /** A Dockerfile step started (`Step 3/9 : RUN pip install ...`); `index` counts from 1. */
  | {type: 'step-start'; index: number; total: number; instruction: string; at: number}
  /** The step was served from the build cache. */
  | {type: 'step-cached'; index: number}
  | {type: 'step-end'; index: number; at: number}
  /** One line of build output, attributed to the running step when there is one. */
  | {type: 'log'; line: string; step: number | null}
  /** Push progress of one layer (`current`/`total` bytes when the engine reports them). */
  | {type: 'push-progress'; layer: string; status: string; current?: number; total?: number}
  | {
      type: 'summary';
      module: string;
      version: string;
      image: string;
      digest: string;
      sizeBytes: number | null;
      durationMs: number;
      parameters: number;
      steps: Array<{index: number; instruction: string; durationMs: number; cached: boolean}>;
      /** The parameter changes against the previous published version, one line each. */
      schemaChanges?: string[];
    }
  | {type: 'error'; message: string; step: number | null};

export type PublishEventHandler = (event: PublishEvent) => void;
