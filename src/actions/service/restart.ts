import { defineServiceControl } from './control.js';

export const serviceRestart = defineServiceControl('restart');
