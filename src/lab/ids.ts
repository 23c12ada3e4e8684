import { z } from 'zod';

export const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]*$/, { error: 'use lowercase letters, digits, dots and dashes (e.g. "nginx-tags")' })
  .describe('An identifier: lowercase letters, digits, dots and dashes');

export const ExerciseId = z
  .string()
  .regex(/^ex[1-9][0-9]*$/, { error: 'exercise ids are ex1, ex2, ... (the folder name)' })
  .describe('Exercise id, the same as its folder name under labs/ (ex1 ... ex9)');

/** An image reference as a student types it: name[:tag] or name@digest. */
export const ImageRef = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._\/:-]*(@sha256:[a-f0-9]{64})?$/, { error: 'an image reference such as nginx:alpine or localhost:5000/app:1.0' })
  .describe('Image reference, e.g. nginx:alpine');

/** A regular expression written in a lab file: checked when the lab loads, not when a student trips on it. */
export const Pattern = z
  .string()
  .refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, { error: 'not a valid regular expression: fix its syntax (escape ( [ { . * + ? with a backslash)' })
  .describe('A JavaScript regular expression');
