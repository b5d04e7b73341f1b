import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { connectApi, apiKey } from './api/sketchpadApi';
import './styles.css';

const api = connectApi();
createApp(App).use(createPinia()).provide(apiKey, api).mount('#app');
