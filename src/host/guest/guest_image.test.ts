import { describe, expect, it } from 'vitest'
import { staticElfProblem } from './guest_image'

/** A minimal ELF64 x86_64 header with the given program header types. */
function elf(types: number[], machine = 62): Buffer {
  const b = Buffer.alloc(64 + types.length * 56)
  b.writeUInt32BE(0x7f454c46, 0)
  b[4] = 2 // ELFCLASS64
  b[5] = 1 // little-endian
  b.writeUInt16LE(machine, 0x12)
  b.writeBigUInt64LE(64n, 0x20) // e_phoff
  b.writeUInt16LE(56, 0x36) // e_phentsize
  b.writeUInt16LE(types.length, 0x38) // e_phnum
  types.forEach((t, i) => b.writeUInt32LE(t, 64 + i * 56))
  return b
}

describe('staticElfProblem', () => {
  it('accepts a static x86_64 executable (no PT_INTERP)', () => {
    expect(staticElfProblem(elf([1, 1, 4]))).toBeNull()
  })
  it('refuses a dynamically linked one, another machine and a non-ELF file', () => {
    expect(staticElfProblem(elf([6, 3, 1]))).toMatch(/dynamically linked/)
    expect(staticElfProblem(elf([1], 183))).toMatch(/not an x86_64/)
    expect(staticElfProblem(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(80)))).toMatch(/not an ELF/)
  })
})
