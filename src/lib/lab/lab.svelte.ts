// The lab's state and what its buttons do. Training runs in the training worker (see `Training`), every
// analysis in the analysis worker (through `Analyses`): the page only shows progress and results.
import type { ResultDocument } from '../result/schema';
import { validateResult } from '../result/validate';
import { Analyses, type Subject } from './analyses.svelte';
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

export class Lab {
  source = $state<SourceKind>('paper');
  files = $state.raw<File[]>([]);
  modelUrl = $state('');
  settings = $state<RunSettings>(defaultRunSettings());
  params = $state<AnalysisParams>(defaultAnalysisParams());
  backend = $state<string | null>(null);
  /** Why the training worker got that backend (for the badge). */
  backendReason = $state<string | null>(null);
  phase = $state<Phase>('idle');
  error = $state<string | null>(null);
  paramsError = $state<string | null>(null);
  /** A document opened from a file or handed over by /r: shown as is, nothing to recompute. */
  opened = $state.raw<ResultDocument | null>(null);
  /** Which layer the main view and the timeline's left panel show. */
  layer = $state(1);

  readonly analyses = new Analyses();
  /** Parts of the lab that hold content of their own (the timeline, the layer gallery). */
  #parts: Array<{ forget(): void }> = [];

  /** A part registers so that it is emptied when another source's content replaces it. */
  register(part: { forget(): void }) {
    this.#parts.push(part);
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
    this.phase = 'importing';
    try {
      const subject = await imagePatchesSubject(this.files);
      this.show([subject], subject.key, this);
    } catch (e) {
      this.fail(e);
    } finally {
      this.phase = 'idle';
    }
  }

  fail(e: unknown) {
    this.error = e instanceof Error ? e.message : String(e);
  }
}
