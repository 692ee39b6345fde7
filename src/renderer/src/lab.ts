// The one LabClient of this window, set once the transport is connected (main.ts). Stores reach
// the lab only through it; unit tests set a fake.
import type { LabClient } from './bridge/lab_client'

let client: LabClient | null = null

export function setLab(lab: LabClient | null): void {
  client = lab
}

export function useLab(): LabClient {
  if (!client) throw new Error('not connected to the lab yet')
  return client
}
