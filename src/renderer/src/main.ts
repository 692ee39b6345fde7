// Renderer entry: mount the app, connect to the lab (desktop pipe or browser WebSocket), and
// route the host's pushes into the stores.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import './style.css'
import { connectLab } from './bridge'
import { setLab } from './lab'
import { refreshRecent } from './commands/file_commands'
import { runMenuCommand } from './commands/registry'
import { useRunStore } from './stores/run'
import { useSeriesStore } from './stores/series'
import { useUiStore } from './stores/ui'
import { useTasksStore } from './stores/tasks'
import { useRunsStore } from './stores/runs'
import { stateProgress } from './composables/past_state'

const pinia = createPinia()
createApp(App).use(pinia).mount('#app')

const ui = useUiStore(pinia)

async function connect(): Promise<void> {
  try {
    const lab = await connectLab()
    setLab(lab)
    ui.capabilities = await lab.capabilities()
    const run = useRunStore(pinia)
    const series = useSeriesStore(pinia)
    lab.on('frame', (runId, rows, data) => series.append(runId, rows, data))
    lab.on('events', (runId, events) => series.addEvents(runId, events))
    lab.on('status', (status) => run.onStatus(status))
    lab.on('menu', (command) => void runMenuCommand(command))
    const tasks = useTasksStore(pinia)
    lab.on('task', (task) => tasks.onTask(task))
    const runs = useRunsStore(pinia)
    lab.on('library', (info, removed) => runs.onLibrary(info, removed))
    lab.on('stateProgress', (progress) => (stateProgress.value = progress))
    ui.connection = 'connected'
    void refreshRecent()
    void runs.refresh()
    void lab.closed.then((reason) => {
      ui.connection = 'closed'
      ui.connectionError = reason
    })
  } catch (error) {
    ui.connection = 'closed'
    ui.connectionError = error instanceof Error ? error.message : String(error)
  }
}

void connect()
