// The lab's state and what its buttons do. Training runs in the training worker (see `Training`), every
// analysis in the analysis worker (through `Analyses`): the page only shows progress and results.
import type { ResultDocument } from '../result/schema';
import { validateResult } from '../result/validate';
import { Analyses, type AnalysisCache, type Subject } from './analyses.svelte';
import {
  defaultAnalysisParams,
  defaultRunSettings,
  validateAnalysisParams,
  type AnalysisParams,
  type RunSettings,
  type SourceKind,
} from './settings';
import { toPipelineOptions } from './options';
import { imagePatchesSubject } from './imagePatches';

/** The key under which the /r page's "open in lab" hands a document over. */
export const OPEN_KEY = 'kleinscope:open';

export type Phase = 'idle' | 'training' | 'paused' | 'importing';

/** A part of the lab with content of its own (the timeline, the layer gallery). */
export interface LabPart {
  /** Another source's content replaced the lab's: drop what this part showed. */
  forget(): void;
  /** Where this part keeps analyses of its subjects between visits, if it keeps them (a training session does). */
  cacheOf?(subject: Subject): AnalysisCache | undefined;
}

export class Lab {
  source = $state<SourceKind>('paper');
  files = $state.raw<File[]>([]);
  modelUrl = $state('');
  settings = $state<RunSettings>(defaultRunSettings());
  params = $state<AnalysisParams>(defaultAnalysisParams());
  backend = $state<string | null>(null);
  /** Why the training worker got that backend (for the badge). */
  backendReason = $state<string | null>(null);
  #phase = $state<Phase>('idle');
  error = $state<string | null>(null);
  paramsError = $state<string | null>(null);
  /** A document opened from a file or handed over by /r: shown as is, nothing to recompute. */
  opened = $state.raw<ResultDocument | null>(null);
  /** Which layer the main view and the timeline's left panel show. */
  layer = $state(1);

  readonly analyses = new Analyses((subject) => this.#cacheOf(subject));
  #parts: LabPart[] = [];

  /** A part registers so that it is emptied when another source's content replaces it. */
  register(part: LabPart) {
    this.#parts.push(part);
  }

  #cacheOf(subject: Subject): AnalysisCache | undefined {
    for (const part of this.#parts) {
      const cache = part.cacheOf?.(subject);
      if (cache) return cache;
    }
    return undefined;
  }

  /** What the lab is doing: the buttons and the bars follow it; only the methods below change it. */
  get phase(): Phase {
    return this.#phase;
  }

  /** A training starts or resumes (the last error goes). */
  startTraining() {
    this.#phase = 'training';
    this.error = null;
  }

  /** Pause pressed: true when a training was running and is now paused. */
  pauseTraining(): boolean {
    if (this.#phase !== 'training') return false;
    this.#phase = 'paused';
    return true;
  }

  /** Continue pressed: true when a paused training runs again. */
  continueTraining(): boolean {
    if (this.#phase !== 'paused') return false;
    this.#phase = 'training';
    return true;
  }

  /** Whether a training is running or paused (cancel applies). */
  get trainingUnderWay(): boolean {
    return this.#phase === 'training' || this.#phase === 'paused';
  }

  /** The training stopped (finished, cancelled or failed). */
  trainingStopped() {
    this.#phase = 'idle';
  }

  /** Runs an import (images, a model, a session file) with the lab busy; a failure becomes the lab's error. */
  async importing(work: () => Promise<void>): Promise<void> {
    this.#phase = 'importing';
    try {
      await work();
    } catch (e) {
      this.fail(e);
    } finally {
      this.#phase = 'idle';
    }
  }

  /** The document the main view shows: the focused subject's analysis, or an opened file. */
  get current(): ResultDocument | null {
    const focus = this.analyses.focus;
    return (focus && this.analyses.results.get(focus)) || this.opened;
  }

  /** Recomputes everything with the form's parameters; bad values are reported, not thrown. */
  applyParams() {
    try {
      const p = validateAnalysisParams(this.params);
      this.paramsError = null;
      this.analyses.setOptions(toPipelineOptions(p));
    } catch (e) {
      this.paramsError = e instanceof Error ? e.message : String(e);
    }
  }

  /** Shows new content; every other part forgets what it showed. Called only once the new content is ready. */
  show(subjects: Subject[], focus: string | null, owner?: object) {
    for (const part of this.#parts) if (part !== owner) part.forget();
    this.opened = null;
    this.analyses.setSubjects(subjects);
    this.analyses.setFocus(focus);
  }

  /** Opens a result document (a file, or JSON handed over by another page). */
  openDocument(json: string, name: string) {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (e) {
      this.error = `${name}: not JSON (${(e as Error).message})`;
      return;
    }
    const v = validateResult(value);
    if (!v.ok) {
      this.error = `${name}: not a Kleinscope result document (at ${v.field}: ${v.message})`;
      return;
    }
    this.error = null;
    for (const part of this.#parts) part.forget();
    this.analyses.clear();
    this.opened = v.value;
  }

  async openFile(file: File) {
    this.openDocument(await file.text(), file.name);
  }

  /** Picks up a document the /r page left for the lab; it is removed so a reload does not reopen it. */
  takeHandover(storage: Storage = sessionStorage) {
    const json = storage.getItem(OPEN_KEY);
    if (json === null) return;
    storage.removeItem(OPEN_KEY);
    this.openDocument(json, 'the shared result');
  }

  async analyseImages() {
    if (this.files.length === 0) {
      this.error = 'Choose one or more image files first.';
      return;
    }
    await this.importing(async () => {
      const subject = await imagePatchesSubject(this.files);
      this.show([subject], subject.key, this);
    });
  }

  fail(e: unknown) {
    this.error = e instanceof Error ? e.message : String(e);
  }
}
