import { z } from 'zod';
import { isReference, isRepositoryPath } from '../reference.js';

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
  .refine(isReference, { error: 'an image reference such as nginx:alpine or localhost:5000/app:1.0' })
  .describe('Image reference, e.g. nginx:alpine');

/** A repository inside a registry, without the registry's address: `myapp`, `team/webapp`. */
export const RepositoryPath = z
  .string()
  .refine(isRepositoryPath, { error: 'a repository name such as myapp or team/webapp (lowercase, no registry address, no tag)' });

/** One repository component under a user's namespace: `mon-nginx`. */
export const RepositoryComponent = RepositoryPath.refine((path) => !path.includes('/'), { error: 'one repository name without a slash, e.g. mon-nginx' });

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
